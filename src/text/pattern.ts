import { RE2JS } from 're2js';

/**
 * A scenario's regular expression, run on what a target or a deploy sends: RE2's syntax, matched in
 * time linear in the text by re2js, so that no pattern can hang a run the way a backtracking engine
 * can (Node's RegExp takes minutes for `^(a+)+$` on 40 letters, and Ctrl-C cannot stop it: the
 * event loop never comes back). docs/decisions/0010-patterns-in-linear-time.md
 */
export interface Pattern {
  /** Whether it matches anywhere in the text (UTF-8 bytes are read as they are: no decoding). */
  test(text: string | Uint8Array): boolean;
  /** The first group of the first match (the release in "version: (\S+)"), if any. */
  firstGroup(text: string): string | undefined;
  /** The group named `name` of the first match, if the pattern has one and it took part. */
  namedGroup(text: string, name: string): string | undefined;
}

export function compilePattern(source: string): Pattern {
  const compiled = RE2JS.compile(source);
  return {
    // `test` skips the captures: re2js then runs its DFA, 4 × faster than a matcher's `find`.
    test: (text) => compiled.test(text),
    firstGroup: (text) => {
      const group = compiled.exec(text)?.[1];
      return typeof group === 'string' ? group : undefined;
    },
    namedGroup: (text, name) => {
      if (!(name in compiled.namedGroups())) return undefined;
      const matcher = compiled.matcher(text);
      return matcher.find() ? (matcher.group(name) ?? undefined) : undefined;
    },
  };
}

/** Why `source` is not a pattern RE2 accepts (look-around and back-references are not), or undefined. */
export function patternProblem(source: string): string | undefined {
  try {
    RE2JS.compile(source);
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^error parsing regexp: /, '');
  }
}
