import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { DeployEvent } from '../../src/results/deploy-events.ts';
import { answersPart } from '../../src/results/parts/answers.ts';
import { checkFailuresPart } from '../../src/results/parts/check-failures.ts';
import { connectionKindsPart } from '../../src/results/parts/connection-kinds.ts';
import { drainsPart } from '../../src/results/parts/drains.ts';
import { instancesPart } from '../../src/results/parts/instances.ts';
import { longestPart } from '../../src/results/parts/longest.ts';
import type { PartOptions, RecordingPart } from '../../src/results/parts/part.ts';
import { releaseSpansPart } from '../../src/results/parts/release-spans.ts';
import type { Sample } from '../../src/results/sample.ts';

/**
 * Every part of the recording: recorded in pieces (worker threads, shards) and merged, it equals
 * what one recorder gives for every request; and it comes back the same through JSON and its
 * schema, as results.json and the threads carry it.
 */
const OPTIONS: PartOptions = {
  intervalMs: 100,
  endpoints: ['home', 'assets'],
  splitLater: true,
  slowThresholdMs: () => 500,
};

/** An instance serves one release, as a process does; without an instance header, the release names it. */
const SERVERS = [
  { instance: 'web.1', release: 'v1' },
  { instance: 'web.2', release: 'v2' },
  { instance: undefined, release: 'v1' },
  { instance: undefined, release: undefined },
];

const sampleAt = (i: number) =>
  fc
    .record({
      user: fc.integer({ min: 0, max: 3 }),
      latencyMs: fc.double({ min: 0, max: 2000, noNaN: true }),
      outcome: fc.constantFrom('ok', 'refused', 'reset', '503', '502', 'check'),
      server: fc.constantFrom(...SERVERS),
      endpoint: fc.constantFrom(0, 1),
      body: fc.string({ maxLength: 8 }),
      connection: fc.constantFrom('new' as const, 'reused' as const, undefined),
      retried: fc.boolean(),
      probe: fc.boolean(),
    })
    .map(
      ({
        user,
        latencyMs,
        outcome,
        server,
        endpoint,
        body,
        connection,
        retried,
        probe,
      }): Sample => {
        // Distinct starts: which of two requests at once is "first" is no part's business.
        const t = i * 13.5;
        const common = {
          user,
          t,
          latencyMs,
          endpoint,
          bytes: 2,
          retried,
          // The probe's requests: new connections, never resent.
          ...(probe ? { connection: 'new' as const, probe: true as const, retried: false } : {}),
          ...(connection && !probe ? { connection } : {}),
        };
        if (outcome === 'refused' || outcome === 'reset')
          return {
            ...common,
            status: 0,
            error: outcome,
            bytes: 0,
            ...(connection === 'reused' && server.instance
              ? { lastAnsweredBy: server.instance }
              : {}),
          };
        const answered = {
          ...common,
          ...(server.instance !== undefined ? { instance: server.instance } : {}),
          ...(server.release !== undefined ? { release: server.release } : {}),
        };
        if (outcome === '503') return { ...answered, status: 503 };
        // A proxy's own answer: no instance, no release.
        if (outcome === '502') return { ...common, status: 502 };
        if (outcome === 'check')
          return {
            ...answered,
            status: 404,
            error: 'check',
            check: { check: endpoint === 0 ? 'status 2xx' : 'body contains "ok"', body },
          };
        return { ...answered, status: 200 };
      },
    );

/** Samples, and which of `pieces` generators sent each. */
const recorded = fc.integer({ min: 1, max: 4 }).chain((pieces) =>
  fc
    .array(fc.nat(), { minLength: 0, maxLength: 60 })
    .chain((seeds) =>
      fc.tuple(
        fc.tuple(...seeds.map((_, i) => sampleAt(i))),
        fc.array(fc.integer({ min: 0, max: pieces - 1 }), {
          minLength: seeds.length,
          maxLength: seeds.length,
        }),
      ),
    )
    .map(([samples, pieceOf]) => ({ samples: samples as Sample[], pieceOf, pieces })),
);

/** A deploy's marker said web.1 was told to stop, 0.4 s in: every recorder hears of it. */
const STOPPING: DeployEvent = { t: 400, phase: 'stopping', instance: 'web.1' };

/**
 * What a recorder sees: requests in the order they end (the probe's only if it takes them), and
 * the deploy's event before every request that ends after it.
 */
function record<Fields extends object>(part: RecordingPart<Fields>, samples: Sample[]): Fields {
  const recorder = part.recorder(OPTIONS);
  if (!recorder) throw new Error(`${part.name} records nothing with these options`);
  const byEnd = samples
    .filter((sample) => !sample.probe || part.takesProbes)
    .sort((a, b) => a.t + a.latencyMs - (b.t + b.latencyMs));
  let told = false;
  for (const sample of byEnd) {
    const end = sample.t + sample.latencyMs;
    if (!told && end >= STOPPING.t) {
      recorder.event?.(STOPPING);
      told = true;
    }
    recorder.record(sample, { end, phase: 'during' });
  }
  if (!told) recorder.event?.(STOPPING);
  return recorder.finish();
}

const PARTS: [string, RecordingPart<object>][] = [
  ['longest', longestPart as RecordingPart<object>],
  ['instances', instancesPart as RecordingPart<object>],
  ['releaseSpans', releaseSpansPart as RecordingPart<object>],
  ['checkFailures', checkFailuresPart as RecordingPart<object>],
  ['byConnection', connectionKindsPart as RecordingPart<object>],
  ['answers', answersPart as RecordingPart<object>],
  ['drains', drainsPart as RecordingPart<object>],
];

describe.each(PARTS)('the %s part of the recording', (_name, part) => {
  it('recorded in pieces and merged, equals one recorder of every request', () => {
    fc.assert(
      fc.property(recorded, ({ samples, pieceOf, pieces }) => {
        const whole = record(part, samples);
        const parts = Array.from({ length: pieces }, (_, piece) =>
          record(
            part,
            samples.filter((_, i) => pieceOf[i] === piece),
          ),
        );
        expect(part.merge(parts)).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });

  it('comes back the same through JSON and its schema', () => {
    const schema = z.object(part.schema(z));
    fc.assert(
      fc.property(recorded, ({ samples }) => {
        const fields = record(part, samples);
        const carried = JSON.parse(JSON.stringify(part.encode(fields)));
        expect(part.decode(schema.parse(carried))).toEqual(fields);
      }),
      { numRuns: 100 },
    );
  });
});
