import { formatCount, formatMs } from '../../text/format.ts';
import { docsOf, type Finding } from './finding.ts';
import type { TrialEvidence } from './trial-evidence.ts';

/**
 * In-flight requests cut: a process taken out of rotation was serving requests, and some of them
 * were cut — it exited, or was killed at the end of its grace period, before answering them. From
 * the embedded router's own account of each process's drain (`lifecycle[].drain`).
 */
export function inFlightCut(trial: TrialEvidence): Finding | undefined {
  const { recording, at } = trial;
  const cut = (recording.lifecycle ?? []).filter((life) => (life.drain?.cut ?? 0) > 0);
  const [first] = cut;
  if (!first?.drain) return undefined;
  const total = cut.reduce((sum, life) => sum + (life.drain?.cut ?? 0), 0);
  const words = cut.map((life) => {
    const drain = life.drain as NonNullable<typeof life.drain>;
    const stopped = life.stoppingAt ?? life.unroutedAt;
    const requests = `${formatCount(drain.inFlight)} request${drain.inFlight === 1 ? '' : 's'}`;
    return `${life.id} was serving ${requests} when it was taken out of rotation${stopped === null ? '' : ` (${at(stopped)})`}: ${formatCount(drain.answered)} answered, ${formatCount(drain.cut)} cut${life.exit ? `; it ended with ${life.exit}` : ''}`;
  });
  const fromMs = first.unroutedAt ?? first.stoppingAt ?? 0;
  const toMs = first.stoppedAt ?? fromMs;
  return {
    id: 'in-flight-cut',
    kind: 'fault',
    title: `${formatCount(total)} request${total === 1 ? '' : 's'} in flight cut by a stop`,
    seen: `${words.join('; ')}.${first.stoppedAt !== null && first.stoppingAt !== null ? ` Its stop took ${formatMs(first.stoppedAt - first.stoppingAt)}.` : ''}`,
    cause:
      'The process exited, or was killed when its grace period ran out, before it answered the requests it was serving.',
    change:
      'Let the requests in flight finish before exit: on SIGTERM stop accepting and answer what is in flight, with a termination grace longer than the longest request (Kubernetes terminationGracePeriodSeconds, a platform’s stop timeout).',
    docs: docsOf('in-flight-cut'),
    fromMs,
    toMs,
    evidence: {
      instance: first.id,
      inFlight: first.drain.inFlight,
      cut: total,
      exit: first.exit,
    },
  };
}
