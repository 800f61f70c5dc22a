import type { CheckExample } from '../../results/parts/check-failures.ts';
import type { Bucket, Recording } from '../../results/recording.ts';
import { failedAs } from './felt.ts';
import { docsOf, type Finding } from './finding.ts';
import type { TrialEvidence } from './trial-evidence.ts';

/**
 * Broke after the switch: an endpoint (or the one request) of which at most 5 % of the requests
 * failed before the deploy, and at least half (and at least 3) after it. The old release served it; the new
 * one does not, or differently (a renamed asset, a changed API, a failed check).
 */
export function brokeAfterSwitch(trial: TrialEvidence): Finding[] {
  const { recording, at } = trial;
  const targets = recording.endpoints
    ? recording.endpoints.map((e) => ({ endpoint: e.name as string | undefined, phases: e.phases }))
    : [{ endpoint: undefined, phases: recording.phases }];
  const deployEnd = recording.timeline.find(
    (e) => e.phase === 'completed' || e.phase === 'failed',
  )?.t;
  return targets.flatMap(({ endpoint, phases }) => {
    const { before, after } = phases;
    if (!brokeBetween(before, after)) return [];
    const example = firstCheckFailure(recording, endpoint);
    const what = endpoint === undefined ? 'The target' : `Endpoint ${endpoint}`;
    const name = endpoint === undefined ? 'the target' : `endpoint ${endpoint}`;
    const exampleWords = example
      ? ` The first failed check: ${example.check} (status ${example.status}${example.body ? `, body ${JSON.stringify(example.body.slice(0, 80))}` : ''}), ${at(example.t)}.`
      : '';
    return [
      {
        id: 'broke-after-switch' as const,
        kind: 'fault' as const,
        title: `${name} broke after the deploy: ${after.failures} of ${after.requests} failed`,
        seen: `${what} failed ${before.failures} of ${before.requests} requests before the deploy; after it, ${after.failures} of ${after.requests} (${failedAs(after)}).${exampleWords}`,
        cause:
          'The new release no longer serves what the old one did: a renamed or dropped asset, a changed route or API, a response the check no longer finds.',
        change:
          'Keep serving the old release’s paths through the switch (keep the previous assets, fingerprinted, beside the new ones; version the API), or make the check match the new release if the change was meant.',
        docs: docsOf('broke-after-switch'),
        fromMs: deployEnd ?? recording.durationMs,
        toMs: recording.durationMs,
        evidence: {
          endpoint: endpoint ?? null,
          before: before.requests,
          after: after.requests,
          failedAfter: after.failures,
          failedAs: failedAs(after) || null,
          check: example?.check ?? null,
        },
      },
    ];
  });
}

/** Before: at most this share failed (a flaky request is not a broken endpoint) ... */
const MOST_FAILED_BEFORE = 0.05;
/** ... after: at least half, and at least this many (one failed request is no pattern). */
const LEAST_FAILED_AFTER = 3;

function brokeBetween(before: Bucket, after: Bucket): boolean {
  return (
    before.requests > 0 &&
    before.failures <= MOST_FAILED_BEFORE * before.requests &&
    after.failures >= LEAST_FAILED_AFTER &&
    after.failures * 2 >= after.requests
  );
}

function firstCheckFailure(
  recording: Recording,
  endpoint: string | undefined,
): CheckExample | undefined {
  return (recording.checkFailures ?? [])
    .filter((c) => c.endpoint === endpoint)
    .sort((a, b) => a.t - b.t)[0];
}
