// Child-process helpers for the e2e runner: start, wait for readiness, and
// stop every process (group) this run started, also on errors and signals.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const started = [];

export function startProcess(name, command, args, { env = {}, cwd, logDir, graceMs = 5000 } = {}) {
  mkdirSync(logDir, { recursive: true });
  const log = createWriteStream(path.join(logDir, `${name}.log`));
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    detached: true, // own process group, so its children stop with it
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  child.on('exit', (code, signal) => {
    child.exited = { code, signal };
  });
  started.push({ name, child, graceMs });
  return child;
}

const alive = (child) => child.exitCode === null && child.signalCode === null;

async function waitExit(child, ms) {
  const deadline = Date.now() + ms;
  while (alive(child) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return !alive(child);
}

function signal(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * Stop what this run started, newest first: SIGTERM to the process itself
 * (so a wrapper script can run its own clean-up), then to its whole group,
 * then SIGKILL to the group.
 */
export async function stopAll() {
  for (const { child, graceMs } of started.reverse()) {
    if (alive(child)) {
      signal(child.pid, 'SIGTERM');
      if (!(await waitExit(child, graceMs))) {
        signal(-child.pid, 'SIGTERM');
        await waitExit(child, 3000);
      }
    }
    // Leftovers in the group (e.g. grandchildren) go too.
    signal(-child.pid, 'SIGKILL');
  }
  started.length = 0;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Poll `url` until it answers with a status below 500 (or `ok(status)`). */
export async function waitForHttp(url, { timeoutMs = 60_000, child, ok = (s) => s < 500 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`process for ${url} exited early (${child.exitCode ?? child.signalCode})`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
      if (ok(res.status)) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e.message;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`timed out waiting for ${url} (${last})`);
}

/** The per-user storage quota the e2e platform runs with (40 MiB). */
export const E2E_STORAGE_QUOTA_BYTES = 40 * 1024 * 1024;
