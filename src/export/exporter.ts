import type { AnalysedRun } from '../analysis/analyse.ts';
import type { RunView } from '../view/view.ts';

export interface OutputFile {
  name: string;
  content: string | Uint8Array;
}

/** What earlier exporters of the same run produced, e.g. the PNGs the Markdown summary shows. */
export interface ExportContext {
  pngFiles: string[];
  /** The run as the page, the summary and the charts show it: built once, for all of them. */
  view(): RunView;
}

/**
 * A format: a pure function from the analysed run to files; one writer does the I/O. `name` is what
 * `--export` calls it.
 */
export interface Exporter<Name extends string = string> {
  name: Name;
  /** The names of the files it writes: what `--force` clears of an earlier run, and nothing else. */
  files: RegExp;
  render(run: AnalysedRun, context: ExportContext): OutputFile[] | Promise<OutputFile[]>;
}

/** The format cannot be produced on this machine; `hint` says in one line how to get it. */
export class ExporterUnavailable extends Error {
  constructor(readonly hint: string) {
    super(hint);
    this.name = 'ExporterUnavailable';
  }
}
