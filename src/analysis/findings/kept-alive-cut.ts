import { formatCount } from '../../text/format.ts';
import { docsOf, type Finding } from './finding.ts';
import type { TrialEvidence } from './trial-evidence.ts';

/**
 * Kept-alive connections cut: requests on connections kept alive from earlier requests were reset,
 * at moments when requests on new connections did not fail — the target was up for whoever
 * connected anew. Those resent at once after a reset are counted with them. What an instance that exits, or closes its sockets,
 * without draining its kept-alive connections does to the users on them.
 */
export function keptAliveCut(trial: TrialEvidence): Finding | undefined {
  const { recording, between } = trial;
  const reused = recording.byConnection?.reused;
  if (!reused) return undefined;
  const reset = reused.errors.reset;
  const fresh = recording.byConnection?.new;
  // Moments kept-alive requests failed while new connections did not: where both failed, nothing
  // was there to connect to, which is nothing-up's.
  const newSpans = fresh?.disruptionSpans ?? [];
  const cutAlone = reused.disruptionSpans.filter(
    ([a, b]) => !newSpans.some(([from, to]) => from < b && to > a),
  );
  // A resend alone is no fault: a kept-alive connection an idle server closes is resent so too.
  const [first] = cutAlone;
  const last = cutAlone.at(-1);
  if (reset === 0 || !first || !last) return undefined;
  const cut = reset + reused.retried;
  const [fromMs] = first;
  const toMs = last[1];
  const by = Object.entries(reused.failedBy)
    // Most first; of equal counts, by name: one order however the recording was merged.
    .sort(([x, a], [y, b]) => b - a || (x < y ? -1 : x > y ? 1 : 0))
    .map(([id, n]) => `${id} ×${n}`)
    .join(', ');
  const parts = [
    reset > 0 ? `${formatCount(reset)} reset` : '',
    reused.retried > 0
      ? `${formatCount(reused.retried)} resent at once after a reset (hidden from a browser's GET; a POST would have failed)`
      : '',
  ].filter(Boolean);
  return {
    id: 'kept-alive-cut',
    kind: 'fault',
    title: `${formatCount(cut)} request${cut === 1 ? '' : 's'} on kept-alive connections cut`,
    seen: `Requests on connections kept alive from earlier requests were cut ${between(fromMs, toMs)}: ${parts.join('; ')}${by ? `, on connections last answered by ${by}` : ''}. Requests on new connections ${fresh && fresh.failures > 0 ? `failed ${formatCount(fresh.failures)} times in all` : 'did not fail'}.`,
    cause:
      'An instance closed its kept-alive connections without draining them: it exited, or closed its sockets, while clients were sending on them.',
    change:
      'Shut down gracefully: on SIGTERM stop accepting, answer the requests in flight with `Connection: close`, close idle keep-alive connections, then exit (Node: server.close() and server.closeIdleConnections()); behind a proxy, take the instance out of rotation first.',
    docs: docsOf('kept-alive-cut'),
    fromMs,
    toMs,
    evidence: {
      reset,
      retried: reused.retried,
      failedBy: by || null,
      newFailures: fresh?.failures ?? 0,
    },
  };
}
