import type { LoadUnder } from '../results/run.ts';

/** The load in words, as every report's header states it: "4 users (closed model), keep-alive". */
export function describeLoad(load: LoadUnder): string {
  const size =
    load.model === 'closed'
      ? `${load.users} user${load.users === 1 ? '' : 's'} (closed model)`
      : `${Number(load.ratePerSecond.toPrecision(6))} requests/s (open model)`;
  return [
    size,
    load.keepAlive ? 'keep-alive' : 'a new connection per request',
    ...(load.probePerSecond ? [`probe ${Number(load.probePerSecond.toPrecision(6))}/s`] : []),
    ...(load.endpoints > 1 ? [`${load.endpoints} endpoints`] : []),
    ...(load.workers > 1 ? [`${load.workers} worker threads`] : []),
  ].join(', ');
}
