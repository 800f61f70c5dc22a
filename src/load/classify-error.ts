import type { ErrorKind } from '../results/sample.ts';

const REFUSED = new Set(['ECONNREFUSED']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TIMEOUT = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Maps a request error (Node system errors, undici errors, wrapped causes) to an error kind. */
export function classifyError(error: unknown): ErrorKind {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (REFUSED.has(code)) return 'refused';
      if (RESET.has(code)) return 'reset';
      if (TIMEOUT.has(code)) return 'timeout';
    }
    current = (current as { cause?: unknown }).cause;
  }
  return 'other';
}
