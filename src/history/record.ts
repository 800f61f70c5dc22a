import { z } from 'zod';
import type { AnalysedRun, AnalysedTrial } from '../analysis/analyse.ts';
import { figureKey, takenAs, trialFigure } from '../gates/evaluate.ts';
import { GATE_METRICS, PHASE_NAMES } from '../gates/metrics.ts';
import { type Aggregation, parseGate } from '../gates/parse.ts';
import { encodeHistogram, isDecodableHistogram } from '../results/histogram.ts';
import type { Comparator, Unit } from '../results/run.ts';
import type { Scenario } from '../scenario/schema.ts';

/** Bumped when a field changes meaning; a record of another format is refused, not misread. */
export const HISTORY_FORMAT = 1;

/**
 * One run in a `--history` folder (docs/history.md): when, from which commit, each variant's
 * trials as figures (every figure a gate can name) with their latency histograms, and its gates.
 * Only a run that completed is recorded: a failed or interrupted one's figures are partial.
 */
export interface HistoryRecord {
  format: typeof HISTORY_FORMAT;
  scenario: string;
  startedAt: string;
  finishedAt?: string;
  tool: string;
  /** The commit and branch, and the CI job's page, from the CI environment when there is one. */
  source?: RunSource;
  /** The run's report page, relative to the history folder, as it was written. */
  report?: string;
  /** What the run was measured under: only past runs measured the same way count in a budget. */
  conditions: RunConditions;
  variants: { name: string; trials: RecordedTrial[] }[];
  gates: RecordedGate[];
}

/**
 * The load and the trials a run was measured under. A budget compares like with like: 5 trials'
 * worst against the worst of 1, or 64 users against 4, would fail or pass for the wrong reason.
 * Worker threads are left out: they follow the machine, not the measurement.
 */
export interface RunConditions {
  model: 'closed' | 'open';
  /** Users (closed model) or arrivals a second (open model). */
  load: number;
  keepAlive: boolean;
  /** Endpoints of `load.endpoints`; 1 for a single request. */
  endpoints: number;
  /** Trials per variant. */
  trials: number;
  /** `bench watch` (somebody else's deploy, found from the traffic) rather than `bench run`. */
  watch: boolean;
}

/** The conditions of a scenario as it runs. */
export function conditionsOf(
  scenario: Pick<Scenario, 'load' | 'trials'>,
  options: { trials?: number; watch: boolean },
): RunConditions {
  const { load } = scenario;
  return {
    model: load.model,
    load: load.model === 'closed' ? load.users : load.rate,
    keepAlive: load.keepAlive,
    endpoints: Math.max(1, load.endpoints?.length ?? 1),
    trials: options.trials ?? scenario.trials,
    watch: options.watch,
  };
}

export function sameConditions(a: RunConditions, b: RunConditions): boolean {
  return (
    a.model === b.model &&
    a.load === b.load &&
    a.keepAlive === b.keepAlive &&
    a.endpoints === b.endpoints &&
    a.trials === b.trials &&
    a.watch === b.watch
  );
}

export interface RunSource {
  commit?: string;
  branch?: string;
  /** The CI job or pipeline's page: where its report can be found once the runner is gone. */
  url?: string;
}

export interface RecordedTrial {
  trial: number;
  /** Every figure a gate can name, under its name after the variant (`user-wait`, `during.p99`). */
  figures: Record<string, number>;
  /** The ids of the trial's findings (docs/diagnosis.md). */
  findings: string[];
  /** Latency of every request, overall and by phase (HdrHistogram, compressed base64, µs). */
  histograms?: Record<(typeof PHASE_NAMES)[number], string>;
}

export type RecordedGate = {
  source: string;
  expression: string;
  variant: string;
  evaluated: boolean;
  passed: boolean;
  /** null when nothing was measured to compare. */
  actual: number | null;
  threshold: number | null;
  unit: Unit;
  comparator: Comparator;
  budget?: { runs: number; needed: number };
};

/**
 * What a recorded gate read, from its source: the figure (`user-wait`), how it took the trials
 * and which way is worse. Undefined for a source that no longer parses.
 */
export function recordedGateFigure(
  gate: Pick<RecordedGate, 'source'>,
): { figure: string; how: Aggregation; lowerIsWorse: boolean } | undefined {
  try {
    const parsed = parseGate(gate.source);
    return { figure: figureKey(parsed.left), ...takenAs(parsed) };
  } catch {
    return undefined;
  }
}

/** A recorded run's values of one figure of a variant, one per trial that has it. */
export function valuesIn(record: HistoryRecord, variant: string, figure: string): number[] {
  const trials = record.variants.find((v) => v.name === variant)?.trials ?? [];
  return trials.flatMap((t) =>
    Object.hasOwn(t.figures, figure) ? [t.figures[figure] as number] : [],
  );
}

/** Every figure of a trial under its gate name: the same function gates read them with. */
export function trialFigures(trial: Pick<AnalysedTrial, 'metrics' | 'findings'>) {
  const figures: Record<string, number> = {};
  const endpoints = [undefined, ...(trial.metrics.endpoints ?? []).map((e) => e.name)];
  for (const endpoint of endpoints) {
    for (const metric of GATE_METRICS) {
      for (const phase of metric.byPhase ? PHASE_NAMES : (['overall'] as const)) {
        const ref = { metric, phase, ...(endpoint === undefined ? {} : { endpoint }) };
        const value = trialFigure(ref, trial);
        if (Number.isFinite(value)) figures[figureKey(ref)] = value;
      }
    }
  }
  return figures;
}

/** A completed run as its history record. */
export function recordOf(
  run: AnalysedRun,
  context: {
    conditions: RunConditions;
    source?: RunSource;
    report?: string;
    histograms: boolean;
  },
): HistoryRecord {
  const { results } = run;
  const finite = (value: number) => (Number.isFinite(value) ? value : null);
  return {
    format: HISTORY_FORMAT,
    scenario: results.scenario.name,
    startedAt: results.startedAt,
    ...(results.finishedAt ? { finishedAt: results.finishedAt } : {}),
    tool: results.tool.version,
    ...(context.source ? { source: context.source } : {}),
    ...(context.report ? { report: context.report } : {}),
    conditions: context.conditions,
    variants: run.variants.map((variant) => ({
      name: variant.name,
      trials: variant.trials.map((trial) => ({
        trial: trial.result.trial,
        figures: trialFigures(trial),
        findings: trial.findings.map((f) => f.id),
        ...(context.histograms ? { histograms: histogramsOf(trial) } : {}),
      })),
    })),
    gates: run.gates.map((gate) => ({
      source: gate.source,
      expression: gate.expression,
      variant: gate.variant,
      evaluated: gate.evaluated,
      passed: gate.passed,
      actual: finite(gate.actual),
      threshold: finite(gate.threshold),
      unit: gate.unit,
      comparator: gate.comparator,
      ...(gate.budget ? { budget: { runs: gate.budget.runs, needed: gate.budget.needed } } : {}),
    })),
  };
}

function histogramsOf(trial: AnalysedTrial): RecordedTrial['histograms'] {
  const { recording } = trial.result;
  return {
    overall: encodeHistogram(recording.overall.latency),
    before: encodeHistogram(recording.phases.before.latency),
    during: encodeHistogram(recording.phases.during.latency),
    after: encodeHistogram(recording.phases.after.latency),
  };
}

/**
 * The CI's commit, branch and job page, from its environment: GitHub Actions and GitLab CI by
 * name, any other CI through `BENCH_COMMIT`, `BENCH_BRANCH` and `BENCH_RUN_URL`.
 */
export function sourceFromEnvironment(env: NodeJS.ProcessEnv): RunSource | undefined {
  const github = env.GITHUB_ACTIONS === 'true';
  const gitlab = env.GITLAB_CI === 'true';
  const githubRun =
    env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
      ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  const found: RunSource = {};
  const commit =
    env.BENCH_COMMIT ?? (github ? env.GITHUB_SHA : gitlab ? env.CI_COMMIT_SHA : undefined);
  const branch =
    env.BENCH_BRANCH ??
    (github
      ? env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME
      : gitlab
        ? env.CI_COMMIT_REF_NAME
        : undefined);
  const url = env.BENCH_RUN_URL ?? (github ? githubRun : gitlab ? env.CI_JOB_URL : undefined);
  // Kept only when it fits the record's own rules: a record that would be refused is not written.
  if (commit && COMMIT.test(commit)) found.commit = commit;
  if (branch && branch.length <= 255 && !CONTROL.test(branch)) found.branch = branch;
  if (url && WEB_ADDRESS.test(url) && url.length <= 2048) found.url = url;
  return Object.keys(found).length > 0 ? found : undefined;
}

const COMMIT = /^[0-9a-f]{7,64}$/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** A CI job's page: a host and a plain path; nothing that Markdown or HTML would read as syntax. */
const WEB_ADDRESS = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~%/=&?#+-]*)?$/;
/** A figure's name: an endpoint's, a phase, then a metric (no `__proto__`, no markup). */
const FIGURE = /^(endpoint\([^()\s<>"'`\\]{0,100}\)\.)?((before|during|after)\.)?[a-z0-9.-]{1,60}$/;

const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !CONTROL.test(s), 'expected no control characters');
const when = z.iso.datetime({ offset: true });
const value = z.number().nullable();

/**
 * A record as read back: every field bounded and checked, because a history folder comes back from
 * a CI cache that anyone with push rights can fill. Histograms must decode without harm.
 */
export const historyRecordSchema = z.strictObject({
  format: z.literal(HISTORY_FORMAT),
  scenario: text(200).min(1),
  startedAt: when,
  finishedAt: when.optional(),
  tool: text(64),
  source: z
    .strictObject({
      commit: z.string().regex(COMMIT, 'expected a commit hash').optional(),
      branch: text(255).optional(),
      url: z.string().max(2048).regex(WEB_ADDRESS, 'expected an http(s) address').optional(),
    })
    .optional(),
  report: text(4096).optional(),
  conditions: z.strictObject({
    model: z.enum(['closed', 'open']),
    load: z.number().positive().max(1e9),
    keepAlive: z.boolean(),
    endpoints: z.int().min(1).max(100_000),
    trials: z.int().min(1).max(100_000),
    watch: z.boolean(),
  }),
  variants: z
    .array(
      z.strictObject({
        name: text(200).min(1),
        trials: z
          .array(
            z.strictObject({
              trial: z.int().min(1).max(100_000),
              figures: z.record(
                z.string().max(300).regex(FIGURE, 'expected a figure such as user-wait'),
                z.number().refine(Number.isFinite, 'expected a finite number'),
              ),
              findings: z
                .array(
                  z
                    .string()
                    .max(60)
                    .regex(/^[a-z0-9-]+$/),
                )
                .max(1000),
              histograms: z
                .strictObject({
                  overall: z.string().max(200_000),
                  before: z.string().max(200_000),
                  during: z.string().max(200_000),
                  after: z.string().max(200_000),
                })
                .refine(
                  (h) => Object.values(h).every(isDecodableHistogram),
                  'expected histograms this tool writes',
                )
                .optional(),
            }),
          )
          .min(1)
          .max(1000),
      }),
    )
    .min(1)
    .max(100),
  gates: z
    .array(
      z.strictObject({
        source: text(1000),
        expression: text(1000),
        variant: text(200),
        evaluated: z.boolean(),
        passed: z.boolean(),
        actual: value,
        threshold: value,
        unit: z.enum(['ms', 'percent', 'count']),
        comparator: z.enum(['<', '<=', '>', '>=', '==', '!=']),
        budget: z
          .strictObject({
            runs: z.int().min(0).max(1_000_000),
            needed: z.int().min(0).max(1_000_000),
          })
          .optional(),
      }),
    )
    .max(1000),
});
