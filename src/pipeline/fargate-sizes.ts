/**
 * The vCPU/memory pairs AWS Fargate accepts (memory in MiB), as AWS Batch documents them for
 * Fargate jobs.
 *
 * @internal
 */
export const FARGATE_MEMORY_BY_VCPU: ReadonlyArray<{ vcpus: number; minMiB: number; maxMiB: number; stepMiB: number }> = [
  { vcpus: 0.25, minMiB: 512, maxMiB: 2048, stepMiB: 512 },
  { vcpus: 0.5, minMiB: 1024, maxMiB: 4096, stepMiB: 1024 },
  { vcpus: 1, minMiB: 2048, maxMiB: 8192, stepMiB: 1024 },
  { vcpus: 2, minMiB: 4096, maxMiB: 16384, stepMiB: 1024 },
  { vcpus: 4, minMiB: 8192, maxMiB: 30720, stepMiB: 1024 },
  { vcpus: 8, minMiB: 16384, maxMiB: 61440, stepMiB: 4096 },
  { vcpus: 16, minMiB: 32768, maxMiB: 122880, stepMiB: 8192 },
];

/**
 * Checks a Fargate vCPU/memory pair. Returns undefined when it is allowed, otherwise the fix.
 * 0.25 vCPU allows 512, 1024 and 2048 MiB (not 1536).
 *
 * @internal
 */
export function fargatePairProblem(vcpus: number, memoryMiB: number): string | undefined {
  const row = FARGATE_MEMORY_BY_VCPU.find((r) => r.vcpus === vcpus);
  if (!row) {
    return `Fargate allows ${FARGATE_MEMORY_BY_VCPU.map((r) => r.vcpus).join(', ')} vCPU; use one of them, or computeType EC2 for other sizes.`;
  }
  const allowed = vcpus === 0.25
    ? [512, 1024, 2048]
    : range(row.minMiB, row.maxMiB, row.stepMiB);
  if (allowed.includes(memoryMiB)) return undefined;
  const gib = (m: number) => `${m / 1024} GiB`;
  return `with ${vcpus} vCPU, Fargate allows ${gib(row.minMiB)} to ${gib(row.maxMiB)} of memory in steps of ${gib(row.stepMiB)}` +
    `${vcpus === 0.25 ? ' (0.5, 1 or 2 GiB)' : ''}; pick an allowed amount or change vcpus.`;
}

function range(min: number, max: number, step: number): number[] {
  const out: number[] = [];
  for (let v = min; v <= max; v += step) out.push(v);
  return out;
}
