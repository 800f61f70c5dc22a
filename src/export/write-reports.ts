import { appendFile } from 'node:fs/promises';
import type { AnalysedRun } from '../analysis/analyse.ts';
import type { Environment } from '../scenario/load.ts';
import { buildView, type RunView } from '../view/view.ts';
import { type ExportContext, ExporterUnavailable, type OutputFile } from './exporter.ts';
import { OutputError } from './output-error.ts';
import { OutputFolder } from './output-folder.ts';
import { EXPORTERS, type ExportName } from './registry.ts';

/** Some reports could not be rendered or written; every other one was. Exit code 3. */
export class ReportsNotWritten extends OutputError {
  override name = 'ReportsNotWritten';
  constructor(readonly failures: readonly { format: ExportName; message: string }[]) {
    super(failures.map((f) => f.message).join('\n'));
  }
}

/**
 * Renders the chosen formats and writes them into `dir`, results.json first, beside the files
 * already there: as `bench report` does, the folder locked while it writes. See writeReportsInto.
 */
export async function writeReports(
  /** The run, or how to get it as it is now: read before each format, so that it may still change. */
  run: AnalysedRun | (() => AnalysedRun),
  dir: string,
  formats: readonly ExportName[],
  log: (line: string) => void,
  /** Where GITHUB_STEP_SUMMARY is read from. */
  env: Environment = process.env,
): Promise<string[]> {
  const folder = await OutputFolder.open(dir, 'keep');
  try {
    return await writeReportsInto(folder, run, formats, log, env);
  } finally {
    folder.close();
  }
}

/**
 * Renders the chosen formats and writes them into an open folder, results.json first. A format this
 * machine cannot produce is skipped with its one-line hint; a format that fails to render or to be
 * written does not stop the others, which are written all the same, and the failures are thrown
 * together at the end (ReportsNotWritten), one line each. Returns the files written.
 */
export async function writeReportsInto(
  folder: OutputFolder,
  run: AnalysedRun | (() => AnalysedRun),
  formats: readonly ExportName[],
  log: (line: string) => void,
  env: Environment,
): Promise<string[]> {
  const current = typeof run === 'function' ? run : () => run;
  const context = exportContext(current);
  const written: string[] = [];
  const failures: { format: ExportName; message: string }[] = [];
  for (const exporter of EXPORTERS.filter((e) => formats.includes(e.name))) {
    const { name } = exporter;
    let files: OutputFile[];
    try {
      files = await exporter.render(current(), context);
    } catch (error) {
      if (error instanceof ExporterUnavailable) log(error.hint);
      else
        failures.push({
          format: name,
          message: `cannot render the ${name} report: ${(error as Error).message}`,
        });
      continue;
    }
    try {
      for (const file of files) written.push(folder.write(file.name, file.content));
    } catch (error) {
      if (!(error instanceof OutputError)) throw error;
      failures.push({ format: name, message: error.message });
      continue;
    }
    if (name === 'png') context.pngFiles = files.map((f) => f.name);
    if (name === 'md') {
      // The job's summary page is a copy: when it cannot be written, summary.md still was.
      await appendStepSummary(env.GITHUB_STEP_SUMMARY, files[0]?.content).catch((error: Error) =>
        log(`GITHUB_STEP_SUMMARY: cannot append the summary: ${error.message}`),
      );
    }
  }
  if (failures.length > 0) throw new ReportsNotWritten(failures);
  return written;
}

/** What the formats of one writing share: the view, built once, again only if the run changed. */
export function exportContext(current: () => AnalysedRun): ExportContext {
  let viewed: { run: AnalysedRun; view: RunView } | undefined;
  return {
    pngFiles: [],
    view() {
      const now = current();
      if (viewed?.run !== now) viewed = { run: now, view: buildView(now) };
      return viewed.view;
    },
  };
}

/** On GitHub Actions, the Markdown summary also goes to the job's summary page. */
async function appendStepSummary(
  target: string | undefined,
  content: string | Uint8Array | undefined,
): Promise<void> {
  if (!target || content === undefined) return;
  await appendFile(target, typeof content === 'string' ? `${content}\n` : content);
}
