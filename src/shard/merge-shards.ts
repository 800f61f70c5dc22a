import { EXIT, ToolError } from '../errors/tool-error.ts';
import { mergeRecordings } from '../record/merge.ts';
import { isDeployEnd } from '../results/deploy-events.ts';
import type { GeneratorLoad, RunResults, ShardInfo, TrialResult } from '../results/run.ts';

/** Shard results that do not belong to one sharded run: bad input. */
class ShardMismatchError extends ToolError {
  override name = 'ShardMismatchError';
  readonly exitCode = EXIT.badInput;

  override explain(): string {
    return `bench merge: ${this.message}`;
  }
}

/**
 * Shards of one run (or merges of them) into one run, as if one generator had sent the whole
 * load: the recordings merged exactly, the deploy's log and status from the shard that ran it.
 */
export function mergeShardResults(
  shards: readonly { file: string; results: RunResults }[],
): RunResults {
  const [first] = shards;
  if (!first || shards.length < 2)
    throw new ShardMismatchError('expected two or more shard results');
  const shardOf = ({ file, results }: { file: string; results: RunResults }): ShardInfo => {
    if (!results.shard)
      throw new ShardMismatchError(`${file}: not a shard's results (run with --shard i/N)`);
    return results.shard;
  };
  const base = shardOf(first);
  const variant = first.results.variants[0]?.name;
  const seen = new Map<number, string>();
  for (const entry of shards) {
    const shard = shardOf(entry);
    const { results, file } = entry;
    if (results.scenario.name !== first.results.scenario.name) {
      throw new ShardMismatchError(
        `${file}: scenario "${results.scenario.name}", not "${first.results.scenario.name}"`,
      );
    }
    if (shard.count !== base.count || shard.startAt !== base.startAt) {
      throw new ShardMismatchError(
        `${file}: shard of ${shard.count} starting ${shard.startAt}, not of ${base.count} starting ${base.startAt}`,
      );
    }
    if (results.variants.length !== 1 || results.variants[0]?.name !== variant) {
      throw new ShardMismatchError(`${file}: expected the one variant "${variant}"`);
    }
    for (const { index } of shard.shards) {
      const other = seen.get(index);
      if (other) throw new ShardMismatchError(`${file}: shard ${index} is already in ${other}`);
      seen.set(index, file);
    }
  }
  const trials = shards.map(({ results }) => results.variants[0]?.trials[0]);
  if (trials.some((t) => t === undefined))
    throw new ShardMismatchError('a shard measured no trial');
  const measured = trials as TrialResult[];
  const deployer =
    measured.find((t) => t.recording.timeline.some(isDeployEnd)) ?? (measured[0] as TrialResult);
  const loads = measured.flatMap((t) => (t.generator ? [t.generator] : []));
  const generator: GeneratorLoad | undefined =
    loads.length > 0
      ? {
          cpuPercent: Math.max(...loads.map((g) => g.cpuPercent)),
          eventLoopUtilization: Math.max(...loads.map((g) => g.eventLoopUtilization)),
        }
      : undefined;
  const trial: TrialResult = {
    trial: 1,
    status: measured.some((t) => t.status === 'interrupted') ? 'interrupted' : deployer.status,
    ...(deployer.failure ? { failure: deployer.failure } : {}),
    startedAt: measured.map((t) => t.startedAt).sort()[0] as string,
    recording: mergeRecordings(measured.map((t) => t.recording)),
    deployLog: deployer.deployLog,
    ...(generator ? { generator } : {}),
  };
  const failures = shards.flatMap(({ results }) => (results.failure ? [results.failure] : []));
  const finished = shards.flatMap(({ results }) =>
    results.finishedAt ? [results.finishedAt] : [],
  );
  return {
    ...first.results,
    startedAt: shards.map(({ results }) => results.startedAt).sort()[0] as string,
    ...(finished.length > 0 ? { finishedAt: finished.sort().at(-1) as string } : {}),
    interrupted: shards.some(({ results }) => results.interrupted),
    ...(failures.length > 0 ? { failure: failures.join('; ') } : {}),
    shard: {
      ...base,
      shards: shards
        .flatMap(({ results }) => results.shard?.shards ?? [])
        .sort((a, b) => a.index - b.index),
    },
    variants: [
      { ...(first.results.variants[0] as RunResults['variants'][number]), trials: [trial] },
    ],
  };
}
