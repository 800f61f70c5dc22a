import { HEAD_LINES, type LogLine, MAX_LINE_CHARACTERS, TAIL_LINES } from '../results/log-line.ts';

/**
 * The output of a trial's (or a variant's) commands — the deploy and its hooks — each kept bounded
 * on its own, so that a chatty hook cannot push the deploy's own first or last lines out.
 */
export class OutputLog {
  private readonly commands: BoundedOutput[] = [];

  /** A new command's output, kept after the earlier ones'; `source` names it when not the deploy. */
  command(source?: string): BoundedOutput {
    const output = new BoundedOutput(source);
    this.commands.push(output);
    return output;
  }

  /** Shifts every kept line's time, e.g. once the trial's clock starts after a hook ran. */
  shift(ms: number): void {
    for (const output of this.commands) output.shift(ms);
  }

  lines(): LogLine[] {
    return this.commands.flatMap((output) => output.lines());
  }
}

/**
 * One command's output kept within a fixed size, however much it prints: the first and last lines,
 * each cut to a fixed length, and a count of what was dropped in between. A deploy that prints 50 MB
 * must not cost the run its memory, nor results.json its size.
 */
class BoundedOutput {
  private readonly head: LogLine[] = [];
  /**
   * A ring of the latest lines once the head is full, each with its length before it was cut;
   * `next` is where the next one goes.
   */
  private readonly tail: { entry: LogLine; characters: number }[] = [];
  private next = 0;
  private omittedLines = 0;
  private omittedCharacters = 0;
  private firstOmittedAt: number | undefined;
  private cutLines = 0;
  private cutCharacters = 0;

  constructor(private readonly source?: string) {}

  /** `alreadyCut`: characters of this line the reader dropped before it ended (see runShell). */
  push(entry: LogLine, alreadyCut = 0): void {
    const line = cutLine(entry.line, alreadyCut);
    const kept = line === entry.line ? entry : { ...entry, line };
    if (kept !== entry) {
      this.cutLines++;
      this.cutCharacters += Math.max(0, entry.line.length - MAX_LINE_CHARACTERS) + alreadyCut;
    }
    if (this.head.length < HEAD_LINES) {
      this.head.push(kept);
      return;
    }
    const latest = { entry: kept, characters: entry.line.length + alreadyCut };
    if (this.tail.length < TAIL_LINES) {
      this.tail.push(latest);
      return;
    }
    const dropped = this.tail[this.next] as (typeof this.tail)[number];
    this.omittedLines++;
    this.omittedCharacters += dropped.characters;
    this.firstOmittedAt ??= dropped.entry.t;
    this.tail[this.next] = latest;
    this.next = (this.next + 1) % TAIL_LINES;
  }

  /** Shifts every kept line's time, e.g. once the trial's clock starts after a hook ran. */
  shift(ms: number): void {
    for (const entry of [...this.head, ...this.tail.map((l) => l.entry)]) entry.t -= ms;
    if (this.firstOmittedAt !== undefined) this.firstOmittedAt -= ms;
  }

  /** The kept lines in order, with one entry saying how many were dropped where they were. */
  lines(): LogLine[] {
    const tail = [...this.tail.slice(this.next), ...this.tail.slice(0, this.next)].map(
      (l) => l.entry,
    );
    if (this.omittedLines === 0 && this.cutLines === 0) return [...this.head, ...tail];
    const said = [
      ...(this.omittedLines > 0
        ? [
            `${this.omittedLines.toLocaleString('en-US')} lines (${formatCharacters(this.omittedCharacters)})`,
          ]
        : []),
      ...(this.cutLines > 0
        ? [
            `${formatCharacters(this.cutCharacters)} cut from ${this.cutLines.toLocaleString('en-US')} long line${this.cutLines === 1 ? '' : 's'}`,
          ]
        : []),
    ];
    const note: LogLine = {
      t: this.firstOmittedAt ?? [...this.head, ...tail].at(-1)?.t ?? 0,
      stream: 'stdout',
      line: `… ${said.join(' and ')} not kept …`,
      ...(this.source ? { source: this.source } : {}),
      omitted: {
        lines: this.omittedLines,
        characters: this.omittedCharacters,
        ...(this.cutLines > 0
          ? { cutLines: this.cutLines, cutCharacters: this.cutCharacters }
          : {}),
      },
    };
    // Where lines were left out; after the last line when only long lines were cut.
    return this.omittedLines > 0 ? [...this.head, note, ...tail] : [...this.head, ...tail, note];
  }
}

/** A line cut at MAX_LINE_CHARACTERS, saying how much of it was not kept. */
function cutLine(line: string, alreadyCut: number): string {
  const over = Math.max(0, line.length - MAX_LINE_CHARACTERS) + alreadyCut;
  if (over === 0) return line;
  return `${line.slice(0, MAX_LINE_CHARACTERS)} … (${over.toLocaleString('en-US')} more characters not kept)`;
}

function formatCharacters(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} bytes`;
}
