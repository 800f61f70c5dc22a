import type { Scenario } from '../scenario/schema.ts';

/** What one shard of a sharded run does (docs/scale.md). */
export interface ShardPlan {
  /** 1-based. */
  index: number;
  count: number;
  /** Runs the deploy; the others only follow the shared schedule. */
  deploys: boolean;
  /** When every shard starts its measured load (epoch ms, on this machine's clock). */
  startAt: number;
}

/**
 * The span every shard measures, whenever the deploy ends: warm-up, the whole deploy window and the
 * cool-down, from the shared start.
 */
export function shardSpanMs(
  timeline: Pick<Scenario['timeline'], 'warmup' | 'deployTimeout' | 'cooldown'>,
): number {
  return timeline.warmup + timeline.deployTimeout + timeline.cooldown;
}

/** `--shard i/N`: undefined when the text is not that, with 1 <= i <= N. */
export function parseShard(text: string): { index: number; count: number } | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) return undefined;
  const [index, count] = [Number(match[1]), Number(match[2])];
  return index >= 1 && index <= count && count <= 1000 ? { index, count } : undefined;
}
