import type { Comparator, Unit } from '../results/run.ts';
import { parseDuration } from '../text/duration.ts';
import { GATE_METRICS, type GateMetric, PHASE_NAMES } from './metrics.ts';

export type Aggregation = 'max' | 'median' | 'min';

export interface MetricRef {
  /** Explicit aggregation over trials; without one, the worst trial for the comparison is used. */
  aggregation?: Aggregation;
  /** A variant name, or '*' for each variant. */
  variant: string;
  /** One of `load.endpoints`: the metric of its requests alone. */
  endpoint?: string;
  phase: (typeof PHASE_NAMES)[number];
  metric: GateMetric;
}

/**
 * What a history budget takes of the same figure's past values: a percentile (`p95`), or `max`,
 * `min`, `median` (the 50th percentile) or `mean`.
 */
export type HistoryStatistic = { percentile: number } | { name: 'max' | 'min' | 'median' | 'mean' };

export type Operand =
  | { kind: 'constant'; value: number; unit: Unit | 'none' }
  | { kind: 'metric'; factor: number; ref: MetricRef }
  /**
   * A budget learned from past runs (docs/history.md): `factor × statistic(the same figure of the
   * same variant in the history) + allowance`, the allowance in the left side's unit.
   */
  | { kind: 'history'; factor: number; statistic: HistoryStatistic; allowance: number };

/** A gate parsed once: `left comparator right`, left always a metric. */
export interface Gate {
  source: string;
  left: MetricRef;
  comparator: Comparator;
  right: Operand;
}

/** A gate that cannot be read; `column` is 1-based in the gate's text. */
export class GateSyntaxError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
    this.name = 'GateSyntaxError';
  }
}

interface Token {
  text: string;
  at: number;
}

const COMPARATORS: Comparator[] = ['<=', '>=', '==', '!=', '<', '>'];
const AGGREGATIONS: Aggregation[] = ['max', 'median', 'min'];
// Longest first, so that `p99.9` is not read as `p99` followed by `.9`.
const METRICS_BY_LENGTH = [...GATE_METRICS].sort((a, b) => b.name.length - a.name.length);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < text.length; ) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const comparator = COMPARATORS.find((op) => text.startsWith(op, i));
    if (comparator) {
      tokens.push({ text: comparator, at: i });
      i += comparator.length;
      continue;
    }
    // '*' alone multiplies; '*.' starts a wildcard reference such as `*.errors`.
    if (c === '(' || c === ')' || c === '+' || (c === '*' && text[i + 1] !== '.')) {
      tokens.push({ text: c, at: i });
      i++;
      continue;
    }
    // A word may hold `endpoint(name)`: `preboot.endpoint(assets).errors` is one reference.
    const word = /^(\*\.)?(?:endpoint\([^()\s]*\)|[\w.%-])+/.exec(text.slice(i));
    if (!word) throw new GateSyntaxError(`unexpected "${c}"`, i + 1);
    tokens.push({ text: word[0], at: i });
    i += word[0].length;
  }
  return tokens;
}

/**
 * Reads a gate such as `preboot.longest < 2s`, `*.errors == 0`, `median(preboot.during.p99) < 500ms`,
 * `preboot.availability >= 99.9%`, `preboot.longest < 0.2 * stop-start.longest`, for one of the
 * scenario's `endpoints`, `preboot.endpoint(assets).errors == 0`, or against past runs,
 * `preboot.user-wait <= p95(history) + 1s`. Variant and endpoint names are
 * checked against the scenario's when they are given, and taken as written when they are not.
 */
export function parseGate(
  source: string,
  variants?: readonly string[],
  endpoints?: readonly string[],
): Gate {
  const tokens = tokenize(source);
  let position = 0;
  const peek = () => tokens[position];
  const end = source.length + 1;
  const expect = (what: string): Token => {
    const token = tokens[position++];
    if (!token) throw new GateSyntaxError(`expected ${what} at the end`, end);
    return token;
  };

  const readRef = (allowWildcard: boolean): MetricRef => {
    let token = expect('a metric such as preboot.longest');
    let aggregation: Aggregation | undefined;
    if (AGGREGATIONS.includes(token.text as Aggregation) && peek()?.text === '(') {
      aggregation = token.text as Aggregation;
      position++;
      token = expect('a metric such as preboot.longest');
      const close = expect('")"');
      if (close.text !== ')')
        throw new GateSyntaxError(`expected ")" but found "${close.text}"`, close.at + 1);
    }
    return {
      ...(aggregation ? { aggregation } : {}),
      ...readPath(token, variants, endpoints, allowWildcard),
    };
  };

  const left = readRef(true);
  const comparatorToken = expect('a comparison (<, <=, >, >=, ==, !=)');
  if (!COMPARATORS.includes(comparatorToken.text as Comparator)) {
    throw new GateSyntaxError(
      `expected a comparison (<, <=, >, >=, ==, !=) but found "${comparatorToken.text}"`,
      comparatorToken.at + 1,
    );
  }
  const rightToken = peek();
  if (!rightToken)
    throw new GateSyntaxError('expected a threshold such as 2s, 0 or 99.9% at the end', end);

  let right: Operand;
  const constant = readConstant(rightToken.text);
  const factor = constant && tokens[position + 1]?.text === '*' ? constant.value : undefined;
  if (factor !== undefined) position += 2;
  const statistic = readHistoryStatistic(tokens, position);
  if (statistic) {
    position += 4;
    right = { kind: 'history', factor: factor ?? 1, statistic, allowance: 0 };
    // `+ 1s` loosens a `<=` budget; `- 0.1%` loosens a `>=` one (`-0.1%` reads as one word).
    const sign = peek()?.text;
    if (sign === '+' || sign === '-' || (sign?.startsWith('-') && sign.length > 1)) {
      const glued = sign.length > 1;
      if (!glued) position++;
      const allowanceToken = glued
        ? (peek() as Token)
        : expect(`an allowance such as 1s after "${sign}"`);
      if (glued) position++;
      const text = glued ? allowanceToken.text.slice(1) : allowanceToken.text;
      const allowance = readConstant(text);
      if (!allowance || !fitsUnit(left, allowance))
        throw new GateSyntaxError(
          `expected ${ALLOWANCE_EXAMPLES[left.metric.unit]} after "${sign.slice(0, 1)}", not "${text}"`,
          allowanceToken.at + 1,
        );
      right.allowance = sign.startsWith('-') ? -allowance.value : allowance.value;
    }
  } else if (factor !== undefined) {
    right = { kind: 'metric', factor, ref: readRef(false) };
  } else if (constant) {
    position++;
    right = { kind: 'constant', ...constant };
  } else {
    right = { kind: 'metric', factor: 1, ref: readRef(false) };
  }
  const extra = peek();
  if (extra) throw new GateSyntaxError(`unexpected "${extra.text}" after the gate`, extra.at + 1);

  checkUnits(left, right, rightToken);
  return { source, left, comparator: comparatorToken.text as Comparator, right };
}

const HISTORY_NAMES = ['max', 'min', 'median', 'mean'] as const;

/** `p95(history)`, `max(history)`…, starting at `at`: the statistic, or undefined for anything else. */
function readHistoryStatistic(tokens: Token[], at: number): HistoryStatistic | undefined {
  const [name, open, word, close] = tokens.slice(at, at + 4).map((t) => t.text);
  if (open !== '(') return undefined;
  if (word !== 'history') {
    // `max(preboot.longest)` aggregates a metric; `p95(histroy)` meant the history.
    const statistic =
      name !== undefined && (/^p\d/.test(name) || HISTORY_NAMES.some((n) => n === name));
    const metricPath = word?.includes('.') ?? false;
    if (statistic && !metricPath && word !== ')')
      throw new GateSyntaxError(
        `expected "${name}(history)", not "${name}(${word ?? ''}"`,
        (tokens[at + 2] as Token).at + 1,
      );
    return undefined;
  }
  if (close !== ')')
    throw new GateSyntaxError(
      `expected ")" after "history"`,
      (tokens[at + 3]?.at ?? (tokens[at + 2] as Token).at + 7) + 1,
    );
  const percentile = /^p(\d{1,2}(?:\.\d+)?)$/.exec(name ?? '');
  if (percentile && Number(percentile[1]) > 0) return { percentile: Number(percentile[1]) };
  const named = HISTORY_NAMES.find((n) => n === name);
  if (named) return { name: named };
  throw new GateSyntaxError(
    `"${name}(history)": expected a percentile such as p95, or max, min, median or mean`,
    (tokens[at] as Token).at + 1,
  );
}

function readConstant(text: string): { value: number; unit: Unit | 'none' } | undefined {
  if (/^\d+(\.\d+)?%$/.test(text)) return { value: Number(text.slice(0, -1)), unit: 'percent' };
  if (/^\d+(\.\d+)?$/.test(text)) return { value: Number(text), unit: 'none' };
  const ms = parseDuration(text);
  return ms === undefined ? undefined : { value: ms, unit: 'ms' };
}

function readPath(
  token: Token,
  variants: readonly string[] | undefined,
  endpoints: readonly string[] | undefined,
  allowWildcard: boolean,
): Omit<MetricRef, 'aggregation'> {
  const text = token.text;
  const metric = METRICS_BY_LENGTH.find((m) => text === m.name || text.endsWith(`.${m.name}`));
  if (!metric) {
    throw new GateSyntaxError(
      `"${text}" names no metric; expected <variant>.<metric> with a metric among ${GATE_METRICS.map((m) => m.name).join(', ')}`,
      token.at + 1,
    );
  }
  let rest = text.slice(0, -(metric.name.length + 1));
  let phase: MetricRef['phase'] = 'overall';
  const phaseName = PHASE_NAMES.find((p) => rest.endsWith(`.${p}`));
  if (phaseName) {
    if (!metric.byPhase) {
      throw new GateSyntaxError(
        `${metric.name} is not measured by phase; only ${GATE_METRICS.filter((m) => m.byPhase)
          .map((m) => m.name)
          .join(', ')} are`,
        token.at + 1,
      );
    }
    phase = phaseName;
    rest = rest.slice(0, -(phaseName.length + 1));
  }
  const endpointRef = /\.endpoint\(([^()]*)\)$/.exec(rest);
  const endpoint = endpointRef?.[1];
  if (endpointRef && endpoint !== undefined) {
    if (endpoints && !endpoints.includes(endpoint)) {
      throw new GateSyntaxError(
        endpoints.length === 0
          ? `endpoint(${endpoint}): the scenario has no load.endpoints to name`
          : `unknown endpoint "${endpoint}"; the scenario's endpoints are ${endpoints.map((e) => `"${e}"`).join(', ')}`,
        token.at + 1,
      );
    }
    rest = rest.slice(0, endpointRef.index);
  }
  const scope = { phase, metric, ...(endpoint !== undefined ? { endpoint } : {}) };
  if (rest === '*') {
    if (!allowWildcard)
      throw new GateSyntaxError('a threshold cannot use "*": name one variant', token.at + 1);
    return { variant: '*', ...scope };
  }
  if (variants && !variants.includes(rest)) {
    const known = variants.map((v) => `"${v}"`).join(', ');
    throw new GateSyntaxError(
      `unknown variant "${rest}"; the scenario's variants are ${known} (or * for each)`,
      token.at + 1,
    );
  }
  return { variant: rest, ...scope };
}

const UNIT_EXAMPLES = {
  ms: 'a duration such as 500ms or 2s',
  percent: 'a percentage such as 99.9%',
  count: 'a whole number such as 0',
};

/** An allowance beside a budget, in the figure's unit. */
const ALLOWANCE_EXAMPLES = {
  ms: 'a duration such as 1s',
  percent: 'a percentage such as 0.1%',
  count: 'a count such as 2',
};

/** Whether a constant can stand beside `left`'s figure: its unit, or a plain number for a count. */
function fitsUnit(left: MetricRef, { unit, value }: { value: number; unit: Unit | 'none' }) {
  return (
    unit === left.metric.unit ||
    (unit === 'none' && left.metric.unit === 'count') ||
    (unit === 'none' && value === 0 && left.metric.unit !== 'percent')
  );
}

function checkUnits(left: MetricRef, right: Operand, token: Token): void {
  if (right.kind === 'history') return;
  if (right.kind === 'metric') {
    if (right.ref.metric.unit !== left.metric.unit) {
      throw new GateSyntaxError(
        `cannot compare ${left.metric.name} with ${right.ref.metric.name}: different units`,
        token.at + 1,
      );
    }
    return;
  }
  if (!fitsUnit(left, right)) {
    throw new GateSyntaxError(
      `${left.metric.name} is compared with ${UNIT_EXAMPLES[left.metric.unit]}, not "${token.text}"`,
      token.at + 1,
    );
  }
}
