import { appendFile, mkdir } from 'node:fs/promises';
import type { RunReport } from '../run/run-report.ts';
import {
  EXPORT_NAMES,
  type ExportContext,
  ExporterUnavailable,
  type ExportName,
} from './exporter.ts';
import { EXPORTERS } from './registry.ts';
import { writeFileAtomic } from './write-file.ts';

/**
 * Renders the chosen formats and writes them into `dir`. A format this machine cannot produce is
 * skipped with its one-line hint; the others are written all the same.
 */
export async function writeReports(
  report: RunReport,
  dir: string,
  formats: readonly ExportName[],
  log: (line: string) => void,
  /** Called before each format is rendered, so a caller can still update the report. */
  beforeEach: () => void = () => {},
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const context: ExportContext = { pngFiles: [] };
  const written: string[] = [];
  for (const name of EXPORT_NAMES.filter((n) => formats.includes(n))) {
    beforeEach();
    let files: Awaited<ReturnType<(typeof EXPORTERS)[ExportName]['render']>>;
    try {
      files = await EXPORTERS[name].render(report, context);
    } catch (error) {
      if (!(error instanceof ExporterUnavailable)) throw error;
      log(error.hint);
      continue;
    }
    for (const file of files) written.push(await writeFileAtomic(dir, file.name, file.content));
    if (name === 'png') context.pngFiles = files.map((f) => f.name);
    if (name === 'md') await appendStepSummary(files[0]?.content);
  }
  return written;
}

/** On GitHub Actions, the Markdown summary also goes to the job's summary page. */
async function appendStepSummary(content: string | Uint8Array | undefined): Promise<void> {
  const target = process.env.GITHUB_STEP_SUMMARY;
  if (!target || content === undefined) return;
  await appendFile(target, typeof content === 'string' ? `${content}\n` : content);
}
