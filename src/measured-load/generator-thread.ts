// One worker thread's share of the load: its own generator and recorder, driven by messages from
// the main thread, which forwards the deploy's events and merges the recordings at the end.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { createLoadGenerator } from '../load/create-load-generator.ts';
import type { LoadGenerator } from '../load/load-generator.ts';
import { type Clock, startClock } from '../process/clock.ts';
import { Recorder, type SlowThreshold } from '../record/recorder.ts';
import { encodeRecording } from '../results/codec.ts';
import { decodeHistogram, encodeHistogram } from '../results/histogram.ts';
import { endpointCount, LoadCounters } from './counters.ts';
import { SeriesReporter } from './live-series.ts';
import type { FromThread, GeneratorThreadData, ToThread } from './messages.ts';
import { OrderedRecorder } from './ordered-recorder.ts';

/** How often the thread reports its counters for live progress. */
const PROGRESS_EVERY_MS = 250;

const port = parentPort;
if (!port) throw new Error('generator-thread runs as a worker thread');
const data = workerData as GeneratorThreadData;
const send = (message: FromThread) => port.postMessage(message);

const recorder = new Recorder(data.recorder);
const ordered = new OrderedRecorder(recorder);
const counters = new LoadCounters(endpointCount(data.share.load));
const reporter = new SeriesReporter(recorder);
let generator: LoadGenerator | undefined;
let clock: Clock | undefined;
let progress: NodeJS.Timeout | undefined;
let eluAtStart = performance.eventLoopUtilization();

function reportProgress(): void {
  if (!generator) return;
  send({
    type: 'progress',
    ...counters.progress(generator.inFlight(), recorder.answeredBy(), clock?.now() ?? 0),
    series: reporter.update(),
  });
}

function start(clockOrigin: bigint, slowThreshold: SlowThreshold | undefined): void {
  if (slowThreshold) recorder.useSlowThreshold(slowThreshold);
  clock = startClock(clockOrigin);
  generator = createLoadGenerator({
    target: data.target,
    load: data.share.load,
    share: data.share,
    clock,
    onSample: (sample) => {
      ordered.sample(sample);
      counters.record(sample);
    },
    onDropped: (t) => ordered.dropped(t),
    // Not tied to the deploy's phases: counted straight into the recorder, unordered.
    onConnection: () => recorder.recordConnection(),
  });
  progress = setInterval(reportProgress, PROGRESS_EVERY_MS);
  eluAtStart = performance.eventLoopUtilization();
  generator.start();
}

port.on('message', (message: ToThread) => {
  switch (message.type) {
    case 'start':
      start(message.clockOrigin, message.slowThreshold);
      break;
    case 'watermark':
      ordered.advance(message.t);
      break;
    case 'event':
      ordered.event(message.event);
      break;
    case 'trigger':
      send({ type: 'baseline', latency: encodeHistogram(ordered.trigger(message.event)) });
      break;
    case 'pooled-baseline':
      ordered.pooledBaseline(decodeHistogram(message.latency));
      break;
    case 'stop':
      clearInterval(progress);
      (generator?.stop(message.mode) ?? Promise.resolve()).then(
        () => {
          // The requests answered while the load drained count too: the live totals end exact.
          reportProgress();
          send({ type: 'stopped' });
        },
        (error: Error) => send({ type: 'failed', message: error.message }),
      );
      break;
    case 'finish':
      ordered.flushAll();
      send({
        type: 'finished',
        recording: encodeRecording(recorder.finish(message.durationMs)),
        eventLoopUtilization: performance.eventLoopUtilization(eluAtStart).utilization,
      });
      port.close();
      break;
  }
});
send({ type: 'ready' });
