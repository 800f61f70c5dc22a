import type { z } from 'zod';

type AnyDef = {
  type: string;
  shape?: Record<string, { _zod: { def: AnyDef } }>;
  in?: { _zod: { def: AnyDef } };
  out?: { _zod: { def: AnyDef } };
  innerType?: { _zod: { def: AnyDef } };
  options?: { _zod: { def: AnyDef } }[];
  discriminator?: string;
  values?: unknown[];
  element?: { _zod: { def: AnyDef } };
};

/**
 * The keys an object of the schema accepts at `path`, given the document (`input`): of a union
 * discriminated by a field (such as `model`), only the branch the document chose counts.
 */
export function keysAt(
  schema: z.ZodType,
  path: readonly (string | number)[],
  input: unknown,
): string[] {
  const keys = new Set<string>();
  const valueAt = (from: unknown, key: string | number) =>
    from !== null && typeof from === 'object'
      ? (from as Record<string | number, unknown>)[key]
      : undefined;
  const walk = (def: AnyDef, rest: readonly (string | number)[], value: unknown): void => {
    switch (def.type) {
      case 'pipe':
        // A transform has its object on the `in` side, a preprocess on the `out` side.
        if (def.in) walk(def.in._zod.def, rest, value);
        if (def.out) walk(def.out._zod.def, rest, value);
        return;
      case 'default':
      case 'prefault':
      case 'optional':
      case 'nullable':
        if (def.innerType) walk(def.innerType._zod.def, rest, value);
        return;
      case 'union': {
        const options = def.options ?? [];
        const chosen = def.discriminator
          ? options.filter((o) =>
              o._zod.def.shape?.[def.discriminator as string]?._zod.def.values?.includes(
                valueAt(value, def.discriminator as string),
              ),
            )
          : [];
        for (const option of chosen.length > 0 ? chosen : options)
          walk(option._zod.def, rest, value);
        return;
      }
      case 'array':
        if (def.element && typeof rest[0] === 'number')
          walk(def.element._zod.def, rest.slice(1), valueAt(value, rest[0]));
        return;
      case 'object': {
        const [head, ...tail] = rest;
        if (head === undefined) {
          for (const key of Object.keys(def.shape ?? {})) keys.add(key);
          return;
        }
        const child = def.shape?.[String(head)];
        if (child) walk(child._zod.def, tail, valueAt(value, head));
        return;
      }
    }
  };
  walk((schema as unknown as { _zod: { def: AnyDef } })._zod.def, path, input);
  return [...keys];
}

/** The known word closest to a misspelt one, if it is close enough to be what was meant. */
export function closest(word: string, known: readonly string[]): string | undefined {
  let best: { word: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { word: candidate, distance };
  }
  const allowed = Math.max(1, Math.floor(word.length / 3));
  return best && best.distance <= allowed ? best.word : undefined;
}

/** Edits from one word to the other, a swap of two neighbours counting as one ("rnu" → "run"). */
function editDistance(a: string, b: string): number {
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        distance = Math.min(distance, (beforePrevious[j - 2] as number) + 1);
      current[j] = distance;
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length] as number;
}
