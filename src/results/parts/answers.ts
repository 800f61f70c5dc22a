import { countsOf } from '../counts.ts';
import { Coverage, unionOfSpans } from '../coverage.ts';
import { isFailure } from '../sample.ts';
import { asIs, type RecordingPart } from './part.ts';

/** Answers of 502, 503 or 504 that named no instance and no release: a proxy's, not a process's. */
export interface GatewayAnswers {
  requests: number;
  /** By status. */
  statuses: Record<string, number>;
  /**
   * When they were sent, to the millisecond, merged: the moment that tells whether an instance was
   * serving (one the proxy held through an outage and answered once an instance was back is about
   * the outage, not the moment of its answer).
   */
  spans: [number, number][];
}

export interface AnswersFields {
  /**
   * When requests that were answered promptly — without failing, and not slower than the slow
   * threshold once it is known — were sent (the probe's too), to 10 ms: whether the target served
   * anyone at a moment. Failures with such answers sent among them failed while others were
   * served; a stretch without any had nothing serving (a router that held requests until an
   * instance came up answers them, but late).
   */
  answeredSpans?: [number, number][];
  /** The users' requests that a proxy or router answered in place of an instance. */
  gatewayAnswers?: GatewayAnswers;
}

/** The resolution of `answeredSpans`: fine enough to see a short outage as one. */
export const ANSWERED_RESOLUTION_MS = 10;

const GATEWAY_STATUSES = new Set([502, 503, 504]);

/**
 * When anyone was answered, and what a proxy answered in place of an instance: the moments the
 * findings that tell a partial outage from a whole one read (docs/diagnosis.md).
 */
export const answersPart: RecordingPart<AnswersFields> = {
  name: 'answers',
  takesProbes: true,
  recorder({ slowThresholdMs }) {
    const answered = new Coverage(ANSWERED_RESOLUTION_MS);
    let anyAnswered = false;
    const gateway = new Coverage();
    const gatewayAnswers: Omit<GatewayAnswers, 'spans'> = { requests: 0, statuses: countsOf() };
    return {
      record(sample) {
        const failed = isFailure(sample);
        const threshold = slowThresholdMs();
        if (!failed && (threshold === undefined || sample.latencyMs <= threshold)) {
          answered.mark(sample.t, sample.t);
          anyAnswered = true;
        } else if (
          failed &&
          !sample.probe &&
          GATEWAY_STATUSES.has(sample.status) &&
          sample.instance === undefined &&
          sample.release === undefined
        ) {
          gatewayAnswers.requests++;
          gatewayAnswers.statuses[sample.status] =
            (gatewayAnswers.statuses[sample.status] ?? 0) + 1;
          gateway.mark(sample.t, sample.t);
        }
      },
      finish: () => ({
        ...(anyAnswered ? { answeredSpans: answered.spans() } : {}),
        ...(gatewayAnswers.requests > 0
          ? { gatewayAnswers: { ...gatewayAnswers, spans: gateway.spans() } }
          : {}),
      }),
    };
  },
  merge(parts) {
    const answered = parts.flatMap((p) => p.answeredSpans ?? []);
    const gateways = parts.flatMap((p) => (p.gatewayAnswers ? [p.gatewayAnswers] : []));
    const statuses = countsOf();
    for (const gateway of gateways)
      for (const [status, n] of Object.entries(gateway.statuses))
        statuses[status] = (statuses[status] ?? 0) + n;
    return {
      ...(parts.some((p) => p.answeredSpans) ? { answeredSpans: unionOfSpans(answered) } : {}),
      ...(gateways.length > 0
        ? {
            gatewayAnswers: {
              requests: gateways.reduce((sum, g) => sum + g.requests, 0),
              statuses,
              spans: unionOfSpans(gateways.flatMap((g) => g.spans)),
            },
          }
        : {}),
    };
  },
  ...asIs<AnswersFields>('answeredSpans', 'gatewayAnswers'),
  schema: (z) => {
    const ms = z.number().finite();
    const spans = z.array(z.tuple([ms, ms])).max(1_000_000);
    const count = z.number().int().nonnegative();
    return {
      answeredSpans: spans.optional(),
      gatewayAnswers: z
        .object({ requests: count, statuses: z.record(z.string(), count), spans })
        .optional(),
    };
  },
};
