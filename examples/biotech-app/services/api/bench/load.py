"""Load benchmark: 50 concurrent users against the API served by uvicorn on 127.0.0.1.

Measures GET /api/samples/{id} and POST /api/samples/{id}/files/{fileId}/parts (5 presigned
parts per call) in two bounded phases:

  paced      each user waits 0.2-0.6 s between requests (an interactive web app)
  saturated  no wait: 50 requests always in flight (the server at its limit)

Needs DATABASE_URL (bench/run.sh starts PostgreSQL). Starts moto and a local OIDC issuer in
this process and the API as a separate `uvicorn --factory` process, as in the image. Every
request goes to 127.0.0.1; each phase stops after --requests requests or --seconds seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

SERVICE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(SERVICE_DIR))

from biotech_api.config import Settings  # noqa: E402
from biotech_api.migrate import run as migrate  # noqa: E402
from devtools.local_aws import free_port, start_local_aws  # noqa: E402
from devtools.oidc_issuer import LocalIssuer  # noqa: E402

READ = "GET /api/samples/{id}"
PRESIGN = "POST /api/samples/{id}/files/{fileId}/parts"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


async def seed(client: httpx.AsyncClient, token: str) -> tuple[str, str]:
    h = {"Authorization": f"Bearer {token}"}
    r = await client.post("/api/samples", json={"name": "bench"}, headers=h)
    r.raise_for_status()
    sid = r.json()["id"]
    r = await client.post(
        f"/api/samples/{sid}/files",
        json={"fileName": "bench.mzML", "sizeBytes": 1024 * 1024 * 1024},
        headers=h,
    )
    r.raise_for_status()
    return sid, r.json()["file"]["id"]


async def user_loop(
    client: httpx.AsyncClient,
    token: str,
    sid: str,
    fid: str,
    budget: dict[str, Any],
    samples: dict[str, list[float]],
    errors: dict[str, int],
    think: tuple[float, float] | None,
) -> None:
    h = {"Authorization": f"Bearer {token}"}
    rng = random.Random(sid)
    i = 0
    while budget["left"] > 0 and time.monotonic() < budget["deadline"]:
        budget["left"] -= 1
        i += 1
        name = READ if i % 2 else PRESIGN
        first = rng.randint(1, 35)
        start = time.perf_counter()
        try:
            if name == READ:
                r = await client.get(f"/api/samples/{sid}", headers=h)
            else:
                r = await client.post(
                    f"/api/samples/{sid}/files/{fid}/parts",
                    json={"partNumbers": list(range(first, first + 5))},
                    headers=h,
                )
        except httpx.TransportError as exc:
            key = f"{name} {type(exc).__name__}"
            errors[key] = errors.get(key, 0) + 1
            continue
        elapsed = (time.perf_counter() - start) * 1000
        if r.status_code != 200:
            errors[name] = errors.get(name, 0) + 1
        else:
            samples[name].append(elapsed)
        if think:
            await asyncio.sleep(rng.uniform(*think))


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def phase(
    base: str,
    users: list[tuple[str, str, str]],
    requests: int,
    seconds: float,
    think: tuple[float, float] | None,
    server_pid: int,
) -> dict[str, Any]:
    samples: dict[str, list[float]] = {READ: [], PRESIGN: []}
    errors: dict[str, int] = {}
    budget = {"left": requests, "deadline": time.monotonic() + seconds}
    limits = httpx.Limits(max_connections=len(users), max_keepalive_connections=len(users))
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        started = time.perf_counter()
        server_cpu = _cpu_seconds(server_pid)
        client_cpu = time.process_time()
        await asyncio.gather(
            *(user_loop(client, tok, sid, fid, budget, samples, errors, think) for tok, sid, fid in users)
        )
        wall = time.perf_counter() - started
        server_cpu = _cpu_seconds(server_pid) - server_cpu
        client_cpu = time.process_time() - client_cpu
    total = sum(len(v) for v in samples.values())
    out: dict[str, Any] = {
        "requests": total,
        "errors": errors,
        "seconds": round(wall, 1),
        # CPU actually obtained by the API process and by this load generator.
        "server_cpu_ms_per_request": round(server_cpu / max(total, 1) * 1000, 2),
        "server_cores_used": round(server_cpu / wall, 2),
        "client_cpu_ms_per_request": round(client_cpu / max(total, 1) * 1000, 2),
        "rps": round(total / wall),
    }
    for name, values in samples.items():
        if values:
            out[name] = {
                "n": len(values),
                "p50_ms": round(statistics.median(values), 1),
                "p95_ms": round(percentile(values, 95), 1),
                "p99_ms": round(percentile(values, 99), 1),
                "max_ms": round(max(values), 1),
            }
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--requests", type=int, default=4000, help="per phase")
    parser.add_argument("--seconds", type=float, default=30.0, help="per phase")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        print("DATABASE_URL is required (use bench/run.sh)", file=sys.stderr)
        return 2

    issuer = LocalIssuer(audience="bench").start()
    aws = start_local_aws()
    env = {
        **os.environ,
        **aws.env(),
        "OIDC_ISSUER": issuer.issuer,
        "OIDC_AUDIENCE": "bench",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(SERVICE_DIR),
    }
    migrate("upgrade", "head", Settings.from_env(env))
    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "biotech_api.main:create_app"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"]
    api_log = open(os.environ.get("BENCH_API_LOG", os.devnull), "w")  # noqa: SIM115
    api = subprocess.Popen(cmd, env=env, cwd=SERVICE_DIR, stdout=api_log, stderr=subprocess.STDOUT)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/api/healthz", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        tokens = [issuer.token(f"bench-user-{i}") for i in range(args.users)]

        async def prepare() -> list[tuple[str, str, str]]:
            async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                seeded = [await seed(client, t) for t in tokens]
            return [(t, sid, fid) for t, (sid, fid) in zip(tokens, seeded, strict=True)]

        users = asyncio.run(prepare())
        asyncio.run(phase(base, users, 500, 10, None, api.pid))  # warm-up (JIT-free, but pools and caches)
        report = {
            "users": args.users,
            "loadavg_before": [round(x, 1) for x in os.getloadavg()],
            "paced": asyncio.run(phase(base, users, args.requests, args.seconds, (0.2, 0.6), api.pid)),
            "saturated": asyncio.run(phase(base, users, args.requests, args.seconds, None, api.pid)),
        }
    finally:
        api.terminate()
        api.wait(timeout=20)
        api_log.close()
        aws.stop()
        issuer.stop()
    report["loadavg_after"] = [round(x, 1) for x in os.getloadavg()]
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    paced_read = report["paced"].get(READ, {}).get("p95_ms")
    print(f"paced read p95 = {paced_read} ms (target < 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
