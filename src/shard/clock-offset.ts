import { request } from 'undici';

/** How long to watch the target's Date header for its second to change. */
const WATCH_MS = 2500;

/**
 * This machine's clock minus the target's, in milliseconds, from the target's `Date` header: its
 * resolution is a second, so requests go back to back until the second changes, and the change is
 * placed between the two requests that saw it (within their round trip). Every shard measures
 * against the same target, so the shards' offsets from one another are known too. undefined when the
 * target sends no Date header that changes.
 */
export async function estimateClockOffset(url: string): Promise<number | undefined> {
  const deadline = Date.now() + WATCH_MS;
  let previous: { second: number; midpoint: number } | undefined;
  while (Date.now() < deadline) {
    const sent = Date.now();
    let date: string | undefined;
    try {
      const response = await request(url, { method: 'HEAD', signal: AbortSignal.timeout(1000) });
      await response.body.dump();
      const header = response.headers.date;
      date = Array.isArray(header) ? header[0] : header;
    } catch {
      return undefined;
    }
    const midpoint = (sent + Date.now()) / 2;
    const second = date ? Date.parse(date) : Number.NaN;
    if (Number.isNaN(second)) return undefined;
    if (previous && second > previous.second) {
      // The target's clock read `second` somewhere between the two requests' midpoints.
      return (previous.midpoint + midpoint) / 2 - second;
    }
    previous = { second, midpoint };
  }
  return undefined;
}
