import { type InstanceTraffic, NOTICEABLE_WAIT_MS } from '../../results/parts/instances.ts';
import { showControls } from '../../text/escape.ts';
import { formatCount, formatMs } from '../../text/format.ts';
import { docsOf, type Finding } from './finding.ts';
import type { TrialEvidence } from './trial-evidence.ts';

/** An instance's first seconds of traffic: where a cold start shows. */
const FIRST_SECONDS_MS = 10_000;
/** Answers in trouble, at least: one slow first request is a JIT warming, not a fault. */
const MIN_TROUBLED = 2;
/**
 * Of its answers in the intervals it was in trouble, this share at least: a cold instance fails or
 * crawls on many; a pause of the machine slows a few of every instance's.
 */
const MIN_TROUBLED_SHARE = 0.1;

interface ColdStart {
  instance: InstanceTraffic;
  troubled: number;
  fromMs: number;
  toMs: number;
  /** Older instances that answered untroubled meanwhile. */
  fine: string[];
}

/**
 * Not ready when routed: an instance that first answered after the trigger failed (a 5xx, a check)
 * or was slow in its first seconds of traffic, and then served fine, while an older instance answered
 * without trouble — it was sent traffic before it could serve it. One that never serves fine is
 * broken, not cold (broke-after-switch); one whose troubles began while nothing was up (`outage`:
 * nothing-up's finding) answered late what a router held through the outage.
 */
export function notReadyWhenRouted(
  trial: TrialEvidence,
  outage: Finding | undefined,
): Finding | undefined {
  const { recording, between, thresholdMs, trigger } = trial;
  const cold = recording.instances.flatMap((instance) => {
    const start = coldStart(instance, recording.instances, recording.intervalMs, trigger);
    return start && !(outage && start.fromMs < outage.toMs) ? [start] : [];
  });
  const [first] = cold;
  if (!first) return undefined;
  const fromMs = Math.min(...cold.map((c) => c.fromMs));
  const toMs = Math.max(...cold.map((c) => c.toMs));
  const total = cold.reduce((sum, c) => sum + c.troubled, 0);
  const words = cold.map(
    (c) =>
      `${showControls(c.instance.id)} failed or took over ${formatMs(Math.max(thresholdMs, NOTICEABLE_WAIT_MS))} on ${formatCount(c.troubled)} of its answers in its first ${formatMs(FIRST_SECONDS_MS)}, ${between(c.fromMs, c.toMs)}, while ${c.fine.join(', ')} answered without trouble`,
  );
  return {
    id: 'not-ready-when-routed',
    kind: 'fault',
    title: `${formatCount(total)} answer${total === 1 ? '' : 's'} from new instances failed or slow at first`,
    seen: `${words.join('. ')}.`,
    cause:
      'A new instance was sent traffic before it could serve it: it accepted connections, or passed its readiness check, while it was still warming up (caches, connection pools, JIT, migrations).',
    change:
      'Route to an instance only once it serves real requests well: a readiness check that exercises what requests need (deploy-bench: target.platform.readiness), a warm-up before it reports ready, a slow start (a ramp of its share of traffic).',
    docs: docsOf('not-ready-when-routed'),
    fromMs,
    toMs,
    evidence: {
      instances: cold.map((c) => c.instance.id).join(', '),
      troubled: total,
      fine: [...new Set(cold.flatMap((c) => c.fine))].join(', '),
    },
  };
}

function coldStart(
  instance: InstanceTraffic,
  all: readonly InstanceTraffic[],
  intervalMs: number,
  trigger: number,
): ColdStart | undefined {
  const { troubled, troubleSpans } = instance;
  if (!troubled || !troubleSpans || instance.firstMs <= trigger) return undefined;
  const firstInterval = Math.floor(instance.firstMs / intervalMs);
  const lastInterval = Math.floor((instance.firstMs + FIRST_SECONDS_MS) / intervalMs);
  const inTrouble: number[] = [];
  let count = 0;
  for (let i = firstInterval; i <= lastInterval; i++) {
    const n = troubled[i] ?? 0;
    if (n > 0) inTrouble.push(i);
    count += n;
  }
  const spans = troubleSpans.filter(([from]) => from <= instance.firstMs + FIRST_SECONDS_MS);
  const [firstSpan] = spans;
  const lastSpan = spans.at(-1);
  const lastTrouble = inTrouble.at(-1);
  if (count < MIN_TROUBLED || !firstSpan || !lastSpan || lastTrouble === undefined)
    return undefined;
  // Warmed up: after its last trouble, a whole interval in which it answered without any.
  const servedFine = instance.perInterval.some(
    (n, i) => i > lastTrouble && n > 0 && (troubled[i] ?? 0) === 0,
  );
  if (!servedFine) return undefined;
  const answers = inTrouble.reduce((sum, i) => sum + (instance.perInterval[i] ?? 0), 0);
  if (count < MIN_TROUBLED_SHARE * answers) return undefined;
  // Older instances that answered without trouble in an interval this one was in trouble; or, where
  // they answered in none of those (a switch of all traffic at once), in the interval before its
  // first answer. One in trouble at the same moments points at the moment, not at the new instance.
  const untroubled = (other: InstanceTraffic, i: number) =>
    (other.perInterval[i] ?? 0) > 0 && (other.troubled?.[i] ?? 0) === 0;
  const answeredFine = (other: InstanceTraffic) =>
    inTrouble.some((i) => (other.perInterval[i] ?? 0) > 0)
      ? inTrouble.some((i) => untroubled(other, i))
      : untroubled(other, firstInterval - 1);
  const fine = all
    .filter(
      (other) => other !== instance && other.firstMs < instance.firstMs && answeredFine(other),
    )
    .map((other) => showControls(other.id));
  if (fine.length === 0) return undefined;
  return { instance, troubled: count, fromMs: firstSpan[0], toMs: lastSpan[1], fine };
}
