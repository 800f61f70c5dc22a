/** Sends the scenario's requests until stopped; every request yields one sample. */
export interface LoadGenerator {
  start(): void;
  /**
   * Stops sending. With `abort`, requests in flight are cut and not recorded (the run is being
   * interrupted); with `drain` they are awaited and recorded, bounded by the request timeout.
   */
  stop(mode: 'drain' | 'abort'): Promise<void>;
}
