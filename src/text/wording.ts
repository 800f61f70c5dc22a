import type { z } from 'zod';

/** `load.request.headers.X-A`, `variants[0].name`: a field as a reader of the file names it. */
export function fieldName(keys: readonly PropertyKey[]): string {
  return keys
    .map((key, i) =>
      typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`,
    )
    .join('');
}

/**
 * Every problem in the file's terms, never the validation library's default ("Invalid input"): for
 * scenarios and saved results alike (`schema.safeParse(value, { error: inOurWords })`). Messages a
 * field states itself (a duration's, a name's) take precedence over these.
 */
export function inOurWords(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      const names: Record<string, string> = {
        object: 'a mapping',
        array: 'a list',
        int: 'a whole number',
        string: 'text',
        number: 'a number',
        boolean: 'true or false',
      };
      return `expected ${names[issue.expected] ?? `a ${issue.expected}`}${issue.input === undefined ? '' : `, got ${kindOf(issue.input)}`}`;
    }
    case 'too_small':
    case 'too_big': {
      const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      const most = issue.code === 'too_big';
      if (issue.origin === 'array')
        return `expected ${most ? 'at most' : 'at least'} ${bound} item${bound === 1 ? '' : 's'}`;
      if (issue.origin === 'string')
        return bound === 1 && !most
          ? 'expected text that is not empty'
          : `expected ${most ? 'at most' : 'at least'} ${bound} characters`;
      return `expected a number ${most ? '<' : '>'}${issue.inclusive ? '=' : ''} ${bound}`;
    }
    case 'invalid_value':
      return issue.values.length === 1
        ? `expected ${JSON.stringify(issue.values[0])}`
        : `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'starts_with'
        ? `expected text starting with "${(issue as { prefix?: string }).prefix}"`
        : `expected ${issue.format === 'regex' ? 'text of the allowed form' : `a ${issue.format}`}`;
    case 'not_multiple_of':
      return `expected a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    case 'invalid_union':
      return 'expected one of the forms this field takes (see docs/scenarios.md)';
    case 'invalid_key':
      // The key's own check says what a key must be (a header name, a variable name).
      return issue.issues[0]?.message ?? 'expected a different key';
    default:
      return 'expected a different value (see docs/scenarios.md)';
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return String(value);
}
