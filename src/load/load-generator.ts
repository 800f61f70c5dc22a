/** Requests sent and not yet answered: the wait a live view shows while throughput is zero. */
export interface InFlight {
  count: number;
  /** Start of the oldest one, on the trial's clock; absent when none is in flight. */
  oldestStart?: number;
}

/** Sends the scenario's requests until stopped; every request yields one sample. */
export interface LoadGenerator {
  start(): void;
  /** Read a few times a second by the live view, never per request. */
  inFlight(): InFlight;
  /**
   * Stops sending. With `abort`, requests in flight are cut and not recorded (the run is being
   * interrupted); with `drain` they are awaited and recorded, bounded by the request timeout. An
   * `abort` during a drain (a second Ctrl-C on a hung target) records the requests it cuts as failed
   * (`timeout`): they had been waited for.
   */
  stop(mode: 'drain' | 'abort'): Promise<void>;
}
