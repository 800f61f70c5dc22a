import { type Document, parse, type Scalar, visit } from 'yaml';

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface MissingVariable {
  name: string;
  node: Scalar;
}

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string value of the document, in place, so that
 * positions for error messages stay those of the file. A plain (unquoted) value is read again as YAML
 * after substitution, so `users: ${USERS}` becomes a number.
 */
export function interpolateEnv(document: Document, env: NodeJS.ProcessEnv): MissingVariable[] {
  const missing: MissingVariable[] = [];
  visit(document, {
    Scalar(key, node) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return;
      const substituted = node.value.replace(
        REFERENCE,
        (_match, name: string, fallback?: string) => {
          const value = env[name];
          if (value !== undefined && value !== '') return value;
          if (fallback !== undefined) return fallback;
          missing.push({ name, node });
          return '';
        },
      );
      node.value = node.type === 'PLAIN' ? readPlainScalar(substituted) : substituted;
    },
  });
  return missing;
}

function readPlainScalar(text: string): unknown {
  try {
    const value: unknown = parse(text);
    return value === null || typeof value === 'object' ? text : value;
  } catch {
    return text;
  }
}
