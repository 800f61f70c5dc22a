import { appendFile } from 'node:fs/promises';
import type { RunResults } from '../results/run.ts';
import {
  EXPORT_NAMES,
  type ExportContext,
  ExporterUnavailable,
  type ExportName,
} from './exporter.ts';
import { EXPORTERS } from './registry.ts';
import { makeFolder, OutputError, writeFileAtomic } from './write-file.ts';

/** Some reports could not be rendered or written; every other one was. Exit code 3. */
export class ReportsNotWritten extends OutputError {
  override name = 'ReportsNotWritten';
  constructor(readonly failures: readonly { format: ExportName; message: string }[]) {
    super(failures.map((f) => f.message).join('\n'));
  }
}

/**
 * Renders the chosen formats and writes them into `dir`, results.json first. A format this machine
 * cannot produce is skipped with its one-line hint; a format that fails to render or to be written
 * does not stop the others, which are written all the same, and the failures are thrown together
 * at the end (ReportsNotWritten), one line each.
 */
export async function writeReports(
  report: RunResults,
  dir: string,
  formats: readonly ExportName[],
  log: (line: string) => void,
  /** Called before each format is rendered, so a caller can still update the report. */
  beforeEach: () => void = () => {},
): Promise<string[]> {
  await makeFolder(dir);
  const context: ExportContext = { pngFiles: [] };
  const written: string[] = [];
  const failures: { format: ExportName; message: string }[] = [];
  for (const name of EXPORT_NAMES.filter((n) => formats.includes(n))) {
    beforeEach();
    let files: Awaited<ReturnType<(typeof EXPORTERS)[ExportName]['render']>>;
    try {
      files = await EXPORTERS[name].render(report, context);
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
      for (const file of files) written.push(await writeFileAtomic(dir, file.name, file.content));
    } catch (error) {
      if (!(error instanceof OutputError)) throw error;
      failures.push({ format: name, message: error.message });
      continue;
    }
    if (name === 'png') context.pngFiles = files.map((f) => f.name);
    if (name === 'md') await appendStepSummary(files[0]?.content);
  }
  if (failures.length > 0) throw new ReportsNotWritten(failures);
  return written;
}

/** On GitHub Actions, the Markdown summary also goes to the job's summary page. */
async function appendStepSummary(content: string | Uint8Array | undefined): Promise<void> {
  const target = process.env.GITHUB_STEP_SUMMARY;
  if (!target || content === undefined) return;
  await appendFile(target, typeof content === 'string' ? `${content}\n` : content);
}
