/** The deploy's phases a request can fall in: before its trigger, during it, after its end. */
export type Phase = 'before' | 'during' | 'after';
