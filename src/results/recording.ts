import type { DeployEvent } from './deploy-events.ts';
import type { Histogram } from './histogram.ts';
import type { PartFields } from './parts/registry.ts';
import type { ErrorKind } from './sample.ts';

export type { Phase } from './phase.ts';

import type { Phase } from './phase.ts';

/** Everything recorded about a set of requests: one interval, one phase, or the whole trial. */
export interface Bucket {
  /** Latency of every request, failures included, in microseconds. */
  latency: Histogram;
  requests: number;
  failures: number;
  /** Count per HTTP status; "0" for requests that got no response. */
  statuses: Record<string, number>;
  errors: Record<ErrorKind, number>;
  /** Count per release that answered. */
  releases: Record<string, number>;
  bytes: number;
  /** Open model: arrivals not sent because `maxInFlight` requests were in flight. */
  dropped: number;
  /** Requests resent once after a reset on a kept-alive connection (as browsers do). */
  retried: number;
  /** Exact longest latency (the histogram rounds). */
  maxMs: number;
  /** Successful requests only: what siege reports. */
  success: { count: number; sumMs: number; minMs: number; maxMs: number };
}

export interface UserWait {
  ms: number;
  user: number;
  startMs: number;
  /** False when the trial ended before this user saw a success again. */
  resolved: boolean;
}

export interface Disruption {
  /** Total time in which some user was failing or waiting longer than the threshold. */
  ms: number;
  thresholdMs: number;
  /** How the threshold was chosen: set in the scenario, or derived from the baseline. */
  thresholdSource: 'scenario' | 'baseline' | 'default';
  spans: [number, number][];
}

/**
 * The other view of the same requests' latency, where it differs from the main one:
 * - `corrected` (closed model): corrected for coordinated omission — a user who waited L where it
 *   would have sent every `expectedIntervalMs` stands for the requests it could not send meanwhile;
 * - `service` (open model, whose main latency counts from the intended start): from the actual send.
 */
export interface AlternateLatency {
  kind: 'corrected' | 'service';
  expectedIntervalMs?: number;
  overall: Histogram;
  phases: Record<Phase, Histogram>;
}

/**
 * One process of the embedded platform, from its supervisor: when it was started, came up, was
 * routed to and unrouted, sent SIGTERM and seen to exit. Null for what did not happen in the trial.
 */
export interface InstanceLifecycle {
  id: string;
  release: string;
  startedAt: number | null;
  upAt: number | null;
  routedAt: number | null;
  unroutedAt: number | null;
  /** SIGTERM sent. */
  stoppingAt: number | null;
  /** Seen to exit. */
  stoppedAt: number | null;
  /** How it exited ("exit 0", "signal SIGKILL"), once it did. */
  exit: string | null;
  /** Once it was taken out of rotation: what became of the requests it was serving then. */
  drain?: InstanceDrain;
}

/**
 * What the embedded router saw of a process it stopped routing to (just before its SIGTERM): the
 * requests in flight on it then, how many it answered, how many were cut (the process exited, or
 * was killed, first) and how many the client gave up on, and how long after it kept answering.
 */
export interface InstanceDrain {
  inFlight: number;
  answered: number;
  cut: number;
  /** Given up by the client (its timeout) before the process answered or failed them. */
  gone: number;
  /** From its unrouting to its last answer; null when none came after. */
  answeredForMs: number | null;
}

/**
 * One of `load.endpoints`, recorded on its own as well: its requests by phase and what its users felt
 * (user wait and disruption measured as for the whole trial, against the trial's slow threshold).
 */
export interface EndpointRecording {
  name: string;
  phases: Record<Phase, Bucket>;
  /** A shard that did not run the deploy: like the trial's `followerTails`. */
  followerTails?: Bucket[];
  /** `bench watch`, until its window is found: like the trial's `unsplit`. */
  unsplit?: Bucket[];
  longestUserWait?: UserWait;
  disruption: { ms: number; spans: [number, number][] };
}

/**
 * What the recorder kept of one trial; times in milliseconds since the trial's t0. The fields of
 * `PartFields` (the longest transactions, the instances, …) are each kept by a module of its own,
 * results/parts/.
 */
export interface Recording extends PartFields {
  intervalMs: number;
  durationMs: number;
  overall: Bucket;
  phases: Record<Phase, Bucket>;
  /** Interval i holds the requests that started in [i × intervalMs, (i + 1) × intervalMs). */
  intervals: Bucket[];
  longestUserWait?: UserWait;
  disruption: Disruption;
  alternateLatency?: AlternateLatency;
  timeline: DeployEvent[];
  /** The embedded platform's processes (none for an external target), in order of their start. */
  lifecycle?: InstanceLifecycle[];
  /**
   * Only from a shard that did not run the deploy: its requests that did not end before the trigger,
   * by interval of their start (like `intervals`, 3 significant digits). All of them are in the
   * 'during' phase until a merge that knows the deploy's end splits them (record/merge.ts).
   */
  followerTails?: Bucket[];
  /**
   * Only while `bench watch` records, before the deploy's window is found from the traffic: every
   * request by interval of its start (3 significant digits), which `splitPhases` (record/) turns into
   * the phases. Never written to results.json.
   */
  unsplit?: Bucket[];
  /** Connections the generator opened to the target (absent in files written before it was counted). */
  connections?: number;
  /** Per endpoint, when the scenario has `load.endpoints`. */
  endpoints?: EndpointRecording[];
}
