import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { LoadConfig, Scenario } from './schema.ts';

/** A body or a CA file is a few kilobytes; anything far larger is a mistake (a disk image). */
export const MAX_SCENARIO_FILE_BYTES = 16 * 1024 * 1024;

/** The files a scenario names, read: request bodies by endpoint name, and the target's CA. */
export interface ScenarioFiles {
  bodies: Record<string, string>;
  ca?: string;
}

/** A file the scenario names that cannot be read; `field` says which setting named it. */
export class ScenarioFileError extends Error {
  constructor(
    readonly field: (string | number)[],
    message: string,
  ) {
    super(message);
    this.name = 'ScenarioFileError';
  }
}

/**
 * Reads `bodyFile`s and `target.tls.ca`, relative to the scenario's folder: UTF-8 text, and the CA a
 * PEM certificate.
 */
export async function readScenarioFiles(scenario: Scenario, dir: string): Promise<ScenarioFiles> {
  const bodies: Record<string, string> = Object.create(null);
  for (const [index, endpoint] of (scenario.load.endpoints ?? []).entries()) {
    if (endpoint.bodyFile === undefined) continue;
    bodies[endpoint.name] = await readNamedFile(dir, endpoint.bodyFile, [
      'load',
      'endpoints',
      index,
      'bodyFile',
    ]);
  }
  const { target } = scenario;
  const caFile = 'url' in target ? target.tls?.ca : undefined;
  const ca =
    caFile === undefined ? undefined : await readNamedFile(dir, caFile, ['target', 'tls', 'ca']);
  if (ca !== undefined && !ca.includes('-----BEGIN CERTIFICATE-----'))
    throw new ScenarioFileError(
      ['target', 'tls', 'ca'],
      `"${caFile}" holds no certificate; expected a PEM file with -----BEGIN CERTIFICATE-----`,
    );
  return { bodies, ...(ca !== undefined ? { ca } : {}) };
}

/** The load as the generators send it: every body a file gave filled in. */
export function withBodies(load: LoadConfig, files: ScenarioFiles): LoadConfig {
  if (!load.endpoints) return load;
  return {
    ...load,
    endpoints: load.endpoints.map((endpoint) => {
      const body = files.bodies[endpoint.name];
      return body === undefined ? endpoint : { ...endpoint, body };
    }),
  };
}

async function readNamedFile(
  dir: string,
  name: string,
  field: (string | number)[],
): Promise<string> {
  const file = path.resolve(dir, name);
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new ScenarioFileError(field, `"${name}" is not a regular file`);
    if (info.size > MAX_SCENARIO_FILE_BYTES)
      throw new ScenarioFileError(
        field,
        `"${name}" is ${info.size} bytes; expected at most ${MAX_SCENARIO_FILE_BYTES} (16 MB)`,
      );
    const bytes = await readFile(file);
    try {
      return strictUtf8.decode(bytes);
    } catch {
      // Decoded loosely, a binary body would be sent altered (each bad byte as U+FFFD).
      throw new ScenarioFileError(
        field,
        `"${name}" is not UTF-8 text; expected a text file (binary bodies are not supported)`,
      );
    }
  } catch (error) {
    if (error instanceof ScenarioFileError) throw error;
    throw new ScenarioFileError(field, `cannot read "${name}": ${readFailure(error)}`);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Why a file could not be read, in words: the common cases named, the rest as Node says them. */
export function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  return (error as Error).message;
}
