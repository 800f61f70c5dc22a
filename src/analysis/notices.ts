import { emptyBucket, mergeBucket } from '../results/bucket.ts';
import { isDetected } from '../results/deploy-events.ts';
import { HEAD_LINES, type LogLine, MAX_LINE_CHARACTERS, TAIL_LINES } from '../results/log-line.ts';
import type { Bucket, Phase } from '../results/recording.ts';
import { type RunResults, SATURATED_ELU, type SavedScenario } from '../results/run.ts';
import { formatMs } from '../text/format.ts';

/** Trials in which deploy-bench itself was saturated: its own delays are in their figures. */
export function saturationNotices(results: RunResults): string[] {
  return results.variants.flatMap((variant) =>
    variant.trials
      .filter((trial) => (trial.generator?.eventLoopUtilization ?? 0) >= SATURATED_ELU)
      .map(
        (trial) =>
          `${variant.name}, trial ${trial.trial}: deploy-bench itself was saturated (its event loop was busy ${Math.round(100 * (trial.generator?.eventLoopUtilization ?? 0))} % of the time), so its own delays are in these figures; use fewer users, a lower rate, or more load.workers.`,
      ),
  );
}

/**
 * Requests that never got a 2xx or 3xx and still count as successes: a 4xx is a success unless an
 * `expect` says otherwise, so an endpoint answering 404 to every request would pass without a word.
 * One line per variant and endpoint, over all its trials; none where an `expect` judged them.
 */
export function onlyClientErrorNotices(results: RunResults): string[] {
  const expects = expectsOf(results.scenario);
  return results.variants.flatMap((variant) => {
    const byPart = new Map<string, Bucket>();
    for (const { recording } of variant.trials) {
      const parts: [string, Bucket][] = recording.endpoints?.length
        ? recording.endpoints.map((e) => [e.name, sumPhases(e.phases)])
        : [['', recording.overall]];
      for (const [name, bucket] of parts) {
        const sum = byPart.get(name) ?? emptyBucket();
        mergeBucket(sum, bucket);
        byPart.set(name, sum);
      }
    }
    return [...byPart].flatMap(([name, bucket]) => {
      if (expects(name) || bucket.errors.check > 0) return [];
      const statuses = Object.entries(bucket.statuses).map(([s, n]) => [Number(s), n] as const);
      const answered = statuses.some(([s]) => s >= 200 && s < 400);
      const clientErrors = statuses.filter(([s]) => s >= 400 && s < 500);
      if (answered || clientErrors.length === 0) return [];
      const seen = clientErrors.map(([status, n]) => `${status} × ${n}`).join(', ');
      const what = name === '' ? 'the target' : `endpoint ${name}`;
      return [
        `${variant.name}: ${what} never answered 2xx or 3xx (${seen}), and a 4xx counts as a success: if it should not, set its expect.status.`,
      ];
    });
  });
}

/** Whether the saved scenario gives the request (`''`) or the endpoint named an `expect`. */
function expectsOf(scenario: SavedScenario): (endpoint: string) => boolean {
  const load = (scenario as { load?: unknown }).load as
    | { request?: { expect?: unknown }; endpoints?: { name?: unknown; expect?: unknown }[] }
    | undefined;
  return (endpoint) =>
    endpoint === ''
      ? load?.request?.expect !== undefined
      : Array.isArray(load?.endpoints) &&
        load.endpoints.some((e) => e?.name === endpoint && e.expect !== undefined);
}

function sumPhases(phases: Record<Phase, Bucket>): Bucket {
  const sum = emptyBucket();
  for (const bucket of Object.values(phases)) mergeBucket(sum, bucket);
  return sum;
}

/**
 * A sharded run: which shards are in, how far their clocks were from the target's (the error in
 * their alignment), and what is estimated when no merged shard ran the deploy (docs/scale.md).
 */
export function shardNotices(results: RunResults): string[] {
  const { shard } = results;
  if (!shard) return [];
  const notices: string[] = [];
  const present = new Set(shard.shards.map((s) => s.index));
  const missing = Array.from({ length: shard.count }, (_, i) => i + 1).filter(
    (i) => !present.has(i),
  );
  const which =
    missing.length === 0
      ? `all ${shard.count} shards`
      : `shards ${[...present].join(', ')} of ${shard.count} (${missing.join(', ')} not merged yet)`;
  const offsets = shard.shards.flatMap((s) => (s.clockOffsetMs === null ? [] : [s.clockOffsetMs]));
  const clocks = shard.shards
    .map(
      (s) =>
        `${s.index}: ${s.clockOffsetMs === null ? 'unknown' : `${s.clockOffsetMs >= 0 ? '+' : ''}${s.clockOffsetMs.toFixed(0)} ms`}`,
    )
    .join(', ');
  const spread =
    offsets.length > 1
      ? `; spread ${(Math.max(...offsets) - Math.min(...offsets)).toFixed(0)} ms`
      : '';
  notices.push(
    `Sharded run: ${which}, started together at ${shard.startAt}. Clocks against the target's Date header: ${clocks}${spread}.`,
  );
  if (!shard.shards.some((s) => s.deploys)) {
    notices.push(
      'No shard here ran the deploy: everything after the trigger counts as during it until a merge with the shard that did.',
    );
  }
  return notices;
}

/** One note per command of `log` whose output was cut, starting with `where`. */
export function omittedOutputNotes(where: string, log: readonly LogLine[]): string[] {
  const n = (count: number) => count.toLocaleString('en-US');
  return log.flatMap(({ omitted, source }) => {
    if (!omitted) return [];
    const parts = [
      ...(omitted.lines > 0
        ? [
            `${n(omitted.lines)} lines (${n(omitted.characters)} characters) were left out between its first ${HEAD_LINES} and its last ${TAIL_LINES} lines`,
          ]
        : []),
      ...(omitted.cutLines
        ? [
            `${n(omitted.cutLines)} ${omitted.cutLines === 1 ? 'line' : 'lines'} longer than ${n(MAX_LINE_CHARACTERS)} characters cut (${n(omitted.cutCharacters ?? 0)} characters)`,
          ]
        : []),
    ];
    return [`${where}: ${source ?? 'the deploy'} printed more than is kept: ${parts.join('; ')}.`];
  });
}

/**
 * `bench watch`: what the window was found from, or that none was — nothing the tool could see
 * changed, so every figure is of steady traffic.
 */
export function watchNotices(results: RunResults): string[] {
  return results.variants.flatMap((variant) => {
    // A watched variant runs no deploy of its own: it has neither strategy nor command.
    if (variant.strategy !== undefined || variant.command !== undefined) return [];
    return variant.trials.flatMap(({ trial, status, recording, baseline }) => {
      const where = `${variant.name}, trial ${trial}`;
      const notices: string[] = [];
      // What the recording cannot show: a deploy, or failures, before it began.
      if (baseline && baseline.failures > 0)
        notices.push(
          `${where}: ${baseline.failures} of the ${baseline.requests} requests of the ${formatMs(baseline.ms)} baseline failed, before the recording began: failures that go on count as disruption from the start.`,
        );
      if (baseline && baseline.releases.length > 1)
        notices.push(
          `${where}: releases ${baseline.releases.join(', ')} answered the baseline: a deploy may have begun before the recording did.`,
        );
      // A stall that began in the baseline: its requests are recorded whole, but nothing before.
      const threshold = baseline?.slowThresholdMs ?? Number.POSITIVE_INFINITY;
      const carried = baseline?.carried;
      if (carried && carried.oldestMs > threshold)
        notices.push(
          `${where}: the baseline ended with ${carried.count} request${carried.count === 1 ? '' : 's'} in flight, the oldest for ${formatMs(carried.oldestMs)} (longer than the ${formatMs(threshold)} threshold): a deploy may have begun before the recording did. They are recorded whole, from their start before it, but other requests of the deploy's first moments are not; start the watch earlier.`,
        );
      else if (baseline?.slowestMs !== undefined && baseline.slowestMs > threshold)
        notices.push(
          `${where}: a request of the baseline took ${formatMs(baseline.slowestMs)}, longer than the ${formatMs(threshold)} threshold: a deploy may have begun before the recording did.`,
        );
      const [start, end] = recording.timeline;
      if (isDetected(recording.timeline) && start && end)
        notices.push(
          `${where}: the deploy's window was detected from the traffic, from ${start.detail?.replace(/^detected: /, '')} (${formatMs(start.t)} after the recording began) to ${end.detail?.replace(/^detected: /, '')} (${formatMs(end.t)}); the phases before, during and after it are split at ${formatMs(recording.intervalMs)} interval edges.`,
        );
      else if (status === 'completed' && recording.timeline.length === 0)
        notices.push(
          `${where}: no deploy was detected — no request failed or took longer than ${formatMs(recording.disruption.thresholdMs)}, and no release came or went — so every figure is of steady traffic.`,
        );
      return notices;
    });
  });
}
