export interface LogLine {
  t: number;
  stream: 'stdout' | 'stderr';
  line: string;
  /** Where it came from when not the deploy command itself, e.g. "hook beforeTrial". */
  source?: string;
  /**
   * Set on the one entry of a command's output that says what was not kept: the lines left out
   * between its first and its last ones (it stands where they were), and the characters cut from
   * longer lines (with no line left out, it comes last). Its `line` says so in words, for any
   * reader that does not know this field.
   */
  omitted?: { lines: number; characters: number; cutLines?: number; cutCharacters?: number };
}

/** The first lines of a command's output are kept: they say what it set out to do. */
export const HEAD_LINES = 100;
/** …and the last ones: they say how it ended, and why it failed. */
export const TAIL_LINES = 400;
/** A longer line is cut there (minified JSON, a progress bar redrawn with carriage returns). */
export const MAX_LINE_CHARACTERS = 1000;
