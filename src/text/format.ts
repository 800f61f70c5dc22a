/** Renders milliseconds the way the reports show them: "850 ms", "3.13 s", "2 m 05 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 7_200_000) {
    const totalMinutes = Math.round(ms / 60_000);
    return `${Math.floor(totalMinutes / 60)} h ${String(totalMinutes % 60).padStart(2, '0')} m`;
  }
  const totalSeconds = Math.round(ms / 1000);
  return `${Math.floor(totalSeconds / 60)} m ${String(totalSeconds % 60).padStart(2, '0')} s`;
}

/**
 * A count, or a median of counts: the median of an even number of trials lies between two of them
 * (3669.5), and is shown as the whole number nearest to it, like every count in the tables.
 */
export function formatCount(count: number): string {
  return Number.isFinite(count) ? String(Math.round(count)) : '—';
}

/** A name as it goes into a file's or folder's name: `Shop API!` → `shop-api` ("run" for none). */
export function slugOf(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'run'
  );
}
