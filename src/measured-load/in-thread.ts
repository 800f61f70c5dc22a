import { performance } from 'node:perf_hooks';
import { createLoadGenerator } from '../load/create-load-generator.ts';
import type { InFlight } from '../load/load-generator.ts';
import type { Clock } from '../process/clock.ts';
import { Recorder } from '../record/recorder.ts';
import { endpointCount, LoadCounters, NO_PROGRESS } from './counters.ts';
import { LiveSeries, SeriesReporter } from './live-series.ts';
import type { MeasuredLoad, MeasuredLoadOptions } from './measured-load.ts';

/** The load sent from this thread, recorded as it goes. */
export function inThisThread({
  target,
  share,
  recorder: recorderOptions,
}: MeasuredLoadOptions): MeasuredLoad {
  const recorder = new Recorder(recorderOptions);
  const counters = new LoadCounters(endpointCount(share.load));
  const reporter = new SeriesReporter(recorder);
  const series = new LiveSeries();
  let inFlight: () => InFlight = () => NO_PROGRESS.inFlight;
  let stopGenerator: (mode: 'drain' | 'abort') => Promise<void> = async () => {};
  let eluAtStart = performance.eventLoopUtilization();
  let clock: Clock | undefined;
  const load: MeasuredLoad = {
    start(started, slowThreshold) {
      clock = started;
      if (slowThreshold) recorder.useSlowThreshold(slowThreshold);
      const generator = createLoadGenerator({
        target,
        load: share.load,
        share,
        clock: started,
        onSample: (sample) => {
          recorder.record(sample);
          counters.record(sample);
        },
        onDropped: (t) => recorder.recordDropped(t),
        onConnection: () => recorder.recordConnection(),
      });
      stopGenerator = (mode) => generator.stop(mode);
      inFlight = () => generator.inFlight();
      eluAtStart = performance.eventLoopUtilization();
      generator.start();
    },
    event: (event) => recorder.event(event),
    stop: (mode) => stopGenerator(mode),
    finish: async (durationMs) => ({
      recording: recorder.finish(durationMs),
      eventLoopUtilization: performance.eventLoopUtilization(eluAtStart).utilization,
    }),
    dispose: async () => {},
    progress: () => counters.progress(inFlight(), recorder.answeredBy(), clock?.now() ?? 0),
    series: () => {
      // Read when a view asks: what changed since it last did.
      series.apply(0, reporter.update());
      return series;
    },
  };
  return load;
}
