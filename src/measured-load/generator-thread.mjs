// Entry of a generator worker thread started from the sources (tests, scripts): TypeScript runs
// through tsx here as in the main thread, whose loader hooks a worker thread does not inherit.
import { register } from 'tsx/esm/api';

register();
await import('./generator-thread.ts');
