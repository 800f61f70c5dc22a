import { showControls } from '../../text/escape.ts';
import { formatCount, formatMs } from '../../text/format.ts';
import { trialInstances } from '../instances.ts';
import { docsOf, type Finding } from './finding.ts';
import type { TrialEvidence } from './trial-evidence.ts';

/**
 * In-flight requests cut: a process taken out of rotation was serving requests, and some of them
 * were cut — it exited, or was killed at the end of its grace period, before answering them. From
 * the embedded router's own account of each process's drain (`lifecycle[].drain`), or from the
 * traffic of an instance a deploy's marker said was told to stop (`drains`).
 */
export function inFlightCut(trial: TrialEvidence): Finding | undefined {
  const { recording, at } = trial;
  const cut = trialInstances(recording).filter((life) => (life.drain?.cut ?? 0) > 0);
  const [first] = cut;
  if (!first?.drain) return undefined;
  const total = cut.reduce((sum, life) => sum + (life.drain?.cut ?? 0), 0);
  const words = cut.map((life) => {
    const drain = life.drain as NonNullable<typeof life.drain>;
    const stopped = life.unroutedAt ?? life.stoppingAt;
    const requests = `${formatCount(drain.inFlight)} request${drain.inFlight === 1 ? '' : 's'}`;
    const gone = drain.gone > 0 ? `, ${formatCount(drain.gone)} given up by the client` : '';
    const stop =
      life.stoppedAt !== null && life.stoppingAt !== null
        ? `; its stop took ${formatMs(life.stoppedAt - life.stoppingAt)}`
        : '';
    const when = life.unroutedAt !== null ? 'was taken out of rotation' : 'was told to stop';
    return `${showControls(life.id)} was serving ${requests} when it ${when}${stopped === null ? '' : ` (${at(stopped)})`}: ${formatCount(drain.answered)} answered, ${formatCount(drain.cut)} cut${gone}${life.exit ? `; it ended with ${life.exit}` : ''}${stop}`;
  });
  // From the first unrouting to the last exit of the processes that cut requests.
  const fromMs = Math.min(...cut.map((life) => life.unroutedAt ?? life.stoppingAt ?? 0));
  const toMs = Math.max(fromMs, ...cut.map((life) => life.stoppedAt ?? fromMs));
  return {
    id: 'in-flight-cut',
    kind: 'fault',
    title: `${formatCount(total)} request${total === 1 ? '' : 's'} in flight cut by a stop`,
    seen: `${words.join('. ')}.`,
    cause:
      'The process exited, or was killed when its grace period ran out, before it answered the requests it was serving.',
    change:
      'Let the requests in flight finish before exit: on SIGTERM stop accepting and answer what is in flight, with a termination grace longer than the longest request (Kubernetes terminationGracePeriodSeconds, a platform’s stop timeout).',
    docs: docsOf('in-flight-cut'),
    fromMs,
    toMs,
    evidence: {
      instances: cut.map((life) => life.id).join(', '),
      inFlight: cut.reduce((sum, life) => sum + (life.drain?.inFlight ?? 0), 0),
      cut: total,
      exit: first.exit,
    },
  };
}
