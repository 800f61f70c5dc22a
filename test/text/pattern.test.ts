import { describe, expect, it } from 'vitest';
import { compilePattern, patternProblem } from '../../src/text/pattern.ts';

describe('scenario patterns', () => {
  it('match in linear time: a pattern that backtracks for minutes in RegExp answers at once', () => {
    // Node's RegExp needs ~2^40 steps here; the run it was in could not even be stopped by Ctrl-C.
    const pattern = compilePattern('^(a+)+$');
    expect(pattern.test(`${'a'.repeat(40)}!`)).toBe(false);
    expect(pattern.test('a'.repeat(40))).toBe(true);
  });

  it('give the first group, as a release pattern reads it', () => {
    const release = compilePattern('version: (\\S+)');
    expect(release.firstGroup('<p>version: v2.1 built</p>')).toBe('v2.1');
    expect(release.firstGroup('no version here')).toBeUndefined();
    expect(compilePattern('ok').firstGroup('ok')).toBeUndefined();
  });

  it('give a named group, as a marker names an instance, and none where the pattern has none', () => {
    const marker = compilePattern('^(Stopping|Terminating) (?P<instance>\\S+)');
    expect(marker.namedGroup('Terminating web.2 now', 'instance')).toBe('web.2');
    expect(marker.namedGroup('Starting web.2', 'instance')).toBeUndefined();
    // A group for alternation alone names nothing.
    expect(
      compilePattern('^(Stopping|Terminating) web').namedGroup('Stopping web', 'instance'),
    ).toBe(undefined);
    expect(
      compilePattern('^stop (?<instance>a)?').namedGroup('stop b', 'instance'),
    ).toBeUndefined();
  });

  it('refuse what RE2 does not do, in words', () => {
    expect(patternProblem('(?=a)b')).toMatch(/unsupported Perl syntax/);
    expect(patternProblem('(a)\\1')).toMatch(/invalid escape/);
    expect(patternProblem('(unclosed')).toMatch(/missing closing \)/);
    expect(patternProblem('"status":\\s*"ok"')).toBeUndefined();
  });
});
