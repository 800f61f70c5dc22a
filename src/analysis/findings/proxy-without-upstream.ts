import { formatCount } from '../../text/format.ts';
import { answeringBetween, whileOthersAnswered } from './answered-around.ts';
import { docsOf, type Finding } from './finding.ts';
import type { TrialEvidence } from './trial-evidence.ts';

/**
 * Proxy without upstream: from the deploy's trigger on, answers of 502, 503 or 504 that named no
 * instance and no release — a proxy or router answered in place of one — at moments when other
 * requests were answered. Only where the target names its instances or releases at all: otherwise
 * a proxy's answer cannot be told from an instance's.
 */
export function proxyWithoutUpstream(trial: TrialEvidence): Finding | undefined {
  const { recording, between, at, trigger } = trial;
  const gateway = recording.gatewayAnswers;
  if (!gateway || recording.instances.length === 0) return undefined;
  const answeredFor = whileOthersAnswered(recording, gateway.spans, trigger);
  const [first] = answeredFor;
  const last = answeredFor.at(-1);
  if (!first || !last) return undefined;
  const { fromMs } = first;
  const { toMs } = last;
  const statuses = Object.entries(gateway.statuses)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, n]) => `${status} ×${formatCount(n)}`)
    .join(', ');
  const answering = answeringBetween(recording, fromMs, toMs);
  return {
    id: 'proxy-without-upstream',
    kind: 'fault',
    title: `a proxy answered ${statuses} in place of an instance`,
    seen: `${formatCount(gateway.requests)} request${gateway.requests === 1 ? ' was' : 's were'} answered ${statuses} with no instance or release named — by a proxy in front, not by an instance — ${toMs - fromMs <= 1 ? at(fromMs) : between(fromMs, toMs)}, while other requests were answered${answering.length > 0 ? ` (by ${answering.join(', ')})` : ''}.`,
    cause:
      'The proxy still sent requests to an upstream that had gone away, or was going: the instance stopped before the proxy was told, or the proxy gave up on a request the stop cut.',
    change:
      'Take the upstream out of the proxy first (reload it onto the new upstream, drain the server through its API), wait for its requests in flight, then stop it; for GETs, let the proxy retry the next upstream (nginx proxy_next_upstream, HAProxy redispatch).',
    docs: docsOf('proxy-without-upstream'),
    fromMs,
    toMs,
    evidence: {
      requests: gateway.requests,
      statuses,
      answering: answering.join(', ') || null,
    },
  };
}
