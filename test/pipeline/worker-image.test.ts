import * as fs from 'fs';
import * as path from 'path';
import { build, resourcesOfType } from './support/fixture';
import { PlatformStage } from '../../src/stage/platform-stage';

/**
 * The worker image against the job definition that runs it (no Docker engine: the Dockerfile is parsed).
 *
 * On Fargate the job's `/tmp` is a bind mount of task storage (`Volumes: [{ Host: {} }]`). That volume
 * is owned by root (0755) unless the image declares the same path as a `VOLUME`: ECS then copies the
 * image's directory, with its ownership, into the volume. The image runs as UID 10001, so without the
 * declaration the worker cannot create its scratch directory and every file fails.
 */

interface FinalStage {
  readonly user?: string;
  readonly volumes: string[];
  /** paths given to the user by `chown UID[:GID] path` or `install -d ... -o UID ... path` before the VOLUME line */
  readonly ownedBy: Map<string, string>;
}

/** Parse the last stage of a Dockerfile: its USER, VOLUMEs, and the directories its RUN lines give to a user. */
export function parseFinalStage(text: string): FinalStage {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const from = lines.map((l, i) => (/^FROM\s/i.test(l) ? i : -1)).filter((i) => i >= 0).pop() ?? 0;
  let user: string | undefined;
  const volumes: string[] = [];
  const ownedBy = new Map<string, string>();
  for (const line of lines.slice(from + 1)) {
    const [instr, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (/^USER$/i.test(instr)) user = args.split(':')[0];
    if (/^VOLUME$/i.test(instr)) {
      const paths = args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/);
      volumes.push(...paths);
    }
    if (/^RUN$/i.test(instr)) {
      for (const cmd of args.split(/&&|;/).map((c) => c.trim())) {
        const chown = cmd.match(/^chown\s+(?:-\w+\s+)*(\d+)(?::\d+)?\s+(.+)$/);
        if (chown) chown[2].split(/\s+/).forEach((p) => ownedBy.set(p, chown[1]));
        const install = cmd.match(/^install\s+(.*)$/);
        if (install && /(^|\s)-d(\s|$)/.test(install[1])) {
          const owner = install[1].match(/-o\s+(\d+)/);
          const paths = install[1].split(/\s+/).filter((t, i, all) => t.startsWith('/') && !/^-[mog]$/.test(all[i - 1] ?? ''));
          if (owner) paths.forEach((p) => ownedBy.set(p, owner[1]));
        }
      }
    }
  }
  return { user, volumes, ownedBy };
}

const DOCKERFILE = path.join(__dirname, '..', '..', 'worker', 'Dockerfile');

describe('worker image vs job definition', () => {
  const { json } = build(PlatformStage.PROD);
  const [[, jobDef]] = resourcesOfType(json, 'AWS::Batch::JobDefinition');
  const props = jobDef.Properties.ContainerProperties;
  const stage = parseFinalStage(fs.readFileSync(DOCKERFILE, 'utf-8'));

  test('the image and the job definition run the worker as the same non-root user', () => {
    expect(stage.user).toBe('10001');
    expect(props.User).toBe(stage.user);
  });

  test('every bind-mounted path is a VOLUME of the image, owned by the user that runs the job', () => {
    const hostVolumes = new Set<string>(props.Volumes.filter((v: any) => v.Host !== undefined).map((v: any) => v.Name));
    const bindPaths: string[] = props.MountPoints.filter((m: any) => hostVolumes.has(m.SourceVolume)).map((m: any) => m.ContainerPath);
    expect(bindPaths).toEqual(['/tmp']);
    for (const p of bindPaths) {
      expect({ path: p, declaredAsVolume: stage.volumes.includes(p) }).toEqual({ path: p, declaredAsVolume: true });
      expect({ path: p, owner: stage.ownedBy.get(p) }).toEqual({ path: p, owner: props.User });
    }
  });

  test('the scratch paths of the environment live on the volume', () => {
    const env = Object.fromEntries(props.Environment.map((e: any) => [e.Name, e.Value]));
    for (const name of ['TMPDIR', 'PROTEOMICS_WORK_DIR', 'MPLCONFIGDIR']) {
      expect(String(env[name])).toMatch(/^\/tmp(\/|$)/);
    }
  });

  test('the parser reads what it must (a Dockerfile without the declaration fails the rule)', () => {
    const before = parseFinalStage('FROM a AS b\nUSER 1\nFROM python:3\nRUN useradd --uid 10001 worker\nUSER 10001\n');
    expect(before).toEqual({ user: '10001', volumes: [], ownedBy: new Map() });
    const after = parseFinalStage('FROM x\nRUN install -d -m 1777 -o 10001 -g 10001 /tmp \\\n && chown 10001:10001 /data\nVOLUME ["/tmp"]\nUSER 10001:10001\n');
    expect(after.volumes).toEqual(['/tmp']);
    expect(after.ownedBy.get('/tmp')).toBe('10001');
    expect(after.ownedBy.get('/data')).toBe('10001');
    expect(after.user).toBe('10001');
  });
});
