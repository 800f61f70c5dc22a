import { unionOfSpans } from '../../results/coverage.ts';
import { formatCount } from '../../text/format.ts';
import { answeringBetween, whileOthersAnswered } from './answered-around.ts';
import { docsOf, type Finding } from './finding.ts';
import type { TrialEvidence } from './trial-evidence.ts';

/** Stretches of failing new connections, at least: one could be a single unlucky connect. */
const MIN_STRETCHES = 2;

/**
 * Routed to a stopped instance: from the deploy's trigger on, requests on new connections were
 * refused or reset at moments when other requests were answered — something still sent new
 * connections to an instance that no longer accepted them (it had been told to stop, or had
 * stopped), while others, or the kept-alive connections, were served. Where nothing answered at
 * all, that is nothing-up's.
 */
export function routedToStopped(trial: TrialEvidence): Finding | undefined {
  const { recording, between, trigger } = trial;
  const fresh = recording.byConnection?.new;
  if (!fresh) return undefined;
  const failing = whileOthersAnswered(
    recording,
    unionOfSpans([...fresh.refusedSpans, ...fresh.resetSpans]),
    trigger,
  );
  const [first] = failing;
  const last = failing.at(-1);
  const stretches = failing.reduce((sum, episode) => sum + episode.stretches, 0);
  if (!first || !last || stretches < MIN_STRETCHES) return undefined;
  const { fromMs } = first;
  const { toMs } = last;
  const { refused, reset } = fresh.errors;
  const failed = [
    ...(refused > 0 ? [`${formatCount(refused)} refused`] : []),
    ...(reset > 0 ? [`${formatCount(reset)} reset`] : []),
  ].join(' and ');
  const answering = answeringBetween(recording, fromMs, toMs);
  return {
    id: 'routed-to-stopped',
    kind: 'fault',
    title: `${failed} on new connections while others were answered`,
    seen: `Requests on new connections were refused or reset ${between(fromMs, toMs)} while other requests were answered${answering.length > 0 ? ` (by ${answering.join(', ')})` : ''}: of the ${formatCount(fresh.requests)} requests on new connections in the trial${fresh.probes > 0 ? ` (${formatCount(fresh.probes)} of them the probe's)` : ''}, ${failed}.`,
    cause:
      'New connections were still sent to an instance that no longer accepted them: it had been told to stop, or had stopped, before it was taken out of rotation (a load balancer, a Service, a DNS name still pointed at it).',
    change:
      'Take an instance out of rotation first, then stop it, and keep it listening until no new connection comes: a deregistration delay, a preStop wait longer than the endpoints take to update, a drain through the proxy’s API.',
    docs: docsOf('routed-to-stopped'),
    fromMs,
    toMs,
    evidence: {
      refused,
      reset,
      stretches,
      answering: answering.join(', ') || null,
      probes: fresh.probes,
    },
  };
}
