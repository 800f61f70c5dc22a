import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { readBounded, UnreadableFile } from '../files/read-bounded.ts';
import type { LoadConfig, Scenario } from './schema.ts';

/** A body or a CA file is a few kilobytes; anything far larger is a mistake (a disk image). */
export const MAX_SCENARIO_FILE_BYTES = 16 * 1024 * 1024;

/** Every body file of a scenario together, at most. */
const MAX_BODY_FILES_BYTES = 64 * 1024 * 1024;

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
  // A file named by several endpoints is read once; all of them together are bounded too, as each
  // generator thread holds a copy.
  const read = new Map<string, string>();
  let total = 0;
  for (const [index, endpoint] of (scenario.load.endpoints ?? []).entries()) {
    if (endpoint.bodyFile === undefined) continue;
    const field = ['load', 'endpoints', index, 'bodyFile'];
    const file = path.resolve(dir, endpoint.bodyFile);
    let body = read.get(file);
    if (body === undefined) {
      body = await readNamedFile(
        dir,
        endpoint.bodyFile,
        field,
        'a text file (binary bodies are not supported)',
      );
      read.set(file, body);
      total += Buffer.byteLength(body);
      if (total > MAX_BODY_FILES_BYTES)
        throw new ScenarioFileError(
          field,
          `the body files come to more than ${MAX_BODY_FILES_BYTES / (1024 * 1024)} MB together; expected request bodies of a few kilobytes`,
        );
    }
    bodies[endpoint.name] = body;
  }
  const { target } = scenario;
  const caFile = 'url' in target ? target.tls?.ca : undefined;
  const ca =
    caFile === undefined
      ? undefined
      : await readNamedFile(dir, caFile, ['target', 'tls', 'ca'], 'a PEM certificate file');
  if (ca !== undefined) checkCertificates(ca, caFile as string);
  return { bodies, ...(ca !== undefined ? { ca } : {}) };
}

/**
 * A CA file holds PEM certificates that can be read: one that cannot (a corrupt copy) would be left
 * out by TLS without a word, and the target's certificate then refused for a reason the settings
 * do not show.
 */
function checkCertificates(pem: string, name: string): void {
  const field = ['target', 'tls', 'ca'];
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0)
    throw new ScenarioFileError(
      field,
      `"${name}" holds no certificate; expected a PEM file with -----BEGIN CERTIFICATE-----`,
    );
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new ScenarioFileError(
        field,
        `"${name}": certificate ${index + 1} of ${blocks.length} cannot be read (${(error as Error).message}); expected PEM certificates as the CA exported them`,
      );
    }
  }
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
  /** What the file should be, told when it is not text. */
  expected: string,
): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readBounded(path.resolve(dir, name), MAX_SCENARIO_FILE_BYTES);
  } catch (error) {
    if (!(error instanceof UnreadableFile)) throw error;
    throw new ScenarioFileError(field, `cannot read "${name}": ${error.message}`);
  }
  try {
    return strictUtf8.decode(bytes);
  } catch {
    // Decoded loosely, a binary body would be sent altered (each bad byte as U+FFFD).
    throw new ScenarioFileError(field, `"${name}" is not UTF-8 text; expected ${expected}`);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
