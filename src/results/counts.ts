/**
 * Counts keyed by what the target said (a status, a release name). Without a prototype, a release
 * called `constructor` or `__proto__` is a key like any other, not an inherited property.
 */
export function countsOf(entries: Record<string, number> = {}): Record<string, number> {
  return Object.assign(Object.create(null) as Record<string, number>, entries);
}
