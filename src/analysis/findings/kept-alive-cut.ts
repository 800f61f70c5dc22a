import { compareText } from '../../text/compare.ts';
import { showControls } from '../../text/escape.ts';
import { formatCount } from '../../text/format.ts';
import { docsOf, type Finding } from './finding.ts';
import type { TrialEvidence } from './trial-evidence.ts';

/**
 * Kept-alive connections cut: requests on connections kept alive from earlier requests were reset,
 * from the deploy's trigger on, at moments when no request on a new connection failed — the target
 * was up for whoever connected anew. What an instance that exits, or closes its sockets, without
 * draining does to the users on them. Resets where new connections failed too are nothing-up's.
 */
export function keptAliveCut(trial: TrialEvidence): Finding | undefined {
  const { recording, between, trigger } = trial;
  const reused = recording.byConnection?.reused;
  if (!reused) return undefined;
  const fresh = recording.byConnection?.new;
  const newFailures = fresh?.failureSpans ?? [];
  const cutAlone = reused.resetSpans.filter(
    ([a, b]) => b > trigger && !newFailures.some(([from, to]) => from < b && to > a),
  );
  const [first] = cutAlone;
  const last = cutAlone.at(-1);
  if (!first || !last) return undefined;
  const reset = reused.errors.reset;
  const [fromMs] = first;
  const toMs = last[1];
  const by = Object.entries(reused.failedBy)
    // Most first; of equal counts, by name: one order however the recording was merged.
    .sort(([x, a], [y, b]) => b - a || compareText(x, y))
    // Names come from the target's headers (or its bodies, with a release pattern).
    .map(([id, n]) => `${showControls(id)} ×${n}`)
    .join(', ');
  const resent =
    reused.retriedAnswered > 0
      ? `; ${formatCount(reused.retriedAnswered)} more resent at once after a reset and answered (hidden from a browser's GET; a POST would have failed)`
      : '';
  return {
    id: 'kept-alive-cut',
    kind: 'fault',
    title: `${formatCount(reset)} request${reset === 1 ? '' : 's'} on kept-alive connections reset`,
    seen: `Requests on connections kept alive from earlier requests were reset ${between(fromMs, toMs)} while requests on new connections did not fail: ${formatCount(reset)} reset in the trial${by ? `, on connections last answered by ${by}` : ''}${resent}.`,
    cause:
      'An instance closed its kept-alive connections without draining them: it exited, or closed its sockets, while clients were sending on them.',
    change:
      'Shut down gracefully: on SIGTERM stop accepting, answer the requests in flight with `Connection: close`, close idle keep-alive connections, then exit (Node: server.close() and server.closeIdleConnections()); behind a proxy, take the instance out of rotation first.',
    docs: docsOf('kept-alive-cut'),
    fromMs,
    toMs,
    evidence: {
      reset,
      retriedAnswered: reused.retriedAnswered,
      failedBy: by || null,
      newFailures: fresh?.failures ?? 0,
    },
  };
}
