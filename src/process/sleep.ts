/** Node's longest timer: a longer one fires at once (with a TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Resolves after `ms` (24.8 days at most), or early (without throwing) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.min(ms, MAX_TIMER_MS));
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * What `work` resolves to, or `fallback` once `ms` have passed, whichever comes first. The timer goes
 * as soon as the race is decided: a library caller's process must not wait out a grace period that
 * was not needed.
 */
export async function within<T, F>(work: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  const decided = new AbortController();
  try {
    return await Promise.race([work, sleep(ms, decided.signal).then(() => fallback)]);
  } finally {
    decided.abort();
  }
}
