export interface PollPolicy {
  initialDelayMs: number;
  factor: number;
  maxDelayMs: number;
}

export const DEFAULT_POLL: PollPolicy = { initialDelayMs: 2_000, factor: 1.5, maxDelayMs: 15_000 };

/** Delay before poll number `n` (0-based): grows geometrically, capped. */
export function pollDelay(n: number, policy: PollPolicy = DEFAULT_POLL): number {
  return Math.round(Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** Math.max(0, n)));
}

/**
 * Call `check` until it returns true, waiting longer between calls each time.
 * Errors from `check` are passed to `onError` and polling goes on (with the
 * growing delay) unless the signal is aborted.
 */
export async function pollUntil(
  check: () => Promise<boolean>,
  options: {
    signal?: AbortSignal;
    policy?: PollPolicy;
    onError?: (error: unknown) => void;
    sleep?: (ms: number) => Promise<void>;
  } = {},
): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let n = 0; !options.signal?.aborted; n++) {
    try {
      if (await check()) return;
    } catch (error) {
      if (options.signal?.aborted) return;
      options.onError?.(error);
    }
    await sleep(pollDelay(n, options.policy));
  }
}
