// One process that does nothing but load a trivial server at full speed with the closed model and
// record everything, printing its memory after each checkpoint as JSON lines. Run by bench/perf.ts
// in a fresh process so that nothing else (autocannon, other sections) weighs on its figures.
//   node --expose-gc --import tsx bench/memory-run.ts ORIGIN MINUTES...

import { plainConnection } from '../src/load/connection.ts';
import { createLoadGenerator } from '../src/load/create-load-generator.ts';
import { startClock } from '../src/process/clock.ts';
import { sleep } from '../src/process/sleep.ts';
import { Recorder } from '../src/record/recorder.ts';

const [origin, ...checkpoints] = process.argv.slice(2);
const clock = startClock();
const recorder = new Recorder({ alternate: { kind: 'corrected', thinkTimeMs: 0 } });
let requests = 0;
const generator = createLoadGenerator({
  target: plainConnection(origin as string),
  load: {
    model: 'closed',
    users: 16,
    thinkTime: 0,
    backoff: 75,
    timeout: 60_000,
    releaseHeader: 'x-release',
    keepAlive: true,
    probe: 0,
    workers: 1,
    request: { method: 'GET', path: '/', headers: {} },
  },
  clock,
  onSample: (s) => {
    requests++;
    recorder.record(s);
  },
  onDropped: () => {},
});
generator.start();
for (const minutes of checkpoints.map(Number)) {
  await sleep(Math.max(0, minutes * 60_000 - clock.now()));
  global.gc?.();
  const memory = process.memoryUsage();
  console.log(
    JSON.stringify({
      minutes,
      requests,
      rssMb: memory.rss / 1e6,
      heapMb: memory.heapUsed / 1e6,
      externalMb: memory.external / 1e6,
    }),
  );
}
await generator.stop('drain');
