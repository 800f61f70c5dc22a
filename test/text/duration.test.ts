import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/text/duration.ts';
import { formatMs } from '../../src/text/format.ts';

describe('durations', () => {
  it('parses the units scenario files use', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('0s')).toBe(0);
    expect(parseDuration(' 3s ')).toBe(3000);
    expect(parseDuration('2m')).toBe(120_000);
  });

  it('rejects what is not a duration', () => {
    for (const text of ['5', '5 s', '-1s', '1d', 's', '1.s', ''])
      expect(parseDuration(text)).toBeUndefined();
  });

  it('formats figures for reports', () => {
    expect(formatMs(0)).toBe('0 ms');
    expect(formatMs(0.25)).toBe('0.25 ms');
    expect(formatMs(7.26)).toBe('7.3 ms');
    expect(formatMs(113.4)).toBe('113 ms');
    expect(formatMs(4205)).toBe('4.21 s');
    expect(formatMs(125_000)).toBe('2 m 05 s');
    expect(formatMs(Number.NaN)).toBe('—');
  });
});
