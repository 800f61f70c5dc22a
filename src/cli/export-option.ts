import { EXPORT_NAMES, type ExportName } from '../export/registry.ts';

export const EXPORT_OPTION = {
  type: 'string',
  requiresArg: true,
  describe: `formats to write, comma-separated: ${EXPORT_NAMES.join(',')} (default: all that this machine can produce)`,
} as const;

/** Parses `--export html,png`; returns an error message for an unknown format. */
function parseExportOption(value: string | undefined): ExportName[] | string {
  if (value === undefined) return [...EXPORT_NAMES];
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(EXPORT_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) {
    return `--export: expected some of ${EXPORT_NAMES.join(', ')}, got "${value}"`;
  }
  return names as ExportName[];
}

/** For a command's `.check()`: true, or what is wrong with its --export. */
export function checkExportOption(args: { export?: string | undefined }): true | string {
  const formats = parseExportOption(args.export);
  return typeof formats === 'string' ? formats : true;
}

/** The formats of an --export that `checkExportOption` accepted. */
export function exportFormats(value: string | undefined): ExportName[] {
  return parseExportOption(value) as ExportName[];
}
