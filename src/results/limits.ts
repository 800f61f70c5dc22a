/** Intervals a trial may record: each holds a histogram, so this bounds a trial's memory. */
export const MAX_INTERVALS_PER_TRIAL = 100_000;

/**
 * A scenario allows 100,000 intervals over warm-up, deploy timeout and cool-down; a trial runs a
 * little past them (the drain, a deploy's end). Twice that leaves room, and still bounds what a
 * hostile file can make a report draw.
 */
export const MAX_READ_INTERVALS = 2 * MAX_INTERVALS_PER_TRIAL;
