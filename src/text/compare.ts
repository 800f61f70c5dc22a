/** Code-unit order of two strings, for sorts that must give one order however their input came. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
