import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';

/** A file a user named that cannot be read as one: `reason` says why, in words, without the path. */
export class UnreadableFile extends Error {
  override name = 'UnreadableFile';
}

/**
 * The bytes of a file a user named, at most `limit` of them: the one way bench reads such a file.
 *
 * A size from `stat` cannot be trusted (procfs reports 0 for `/proc/self/pagemap`, which reads on
 * for gigabytes): reading stops at the first chunk past the limit, and the file is too large. It is
 * opened without blocking: a FIFO or `/proc/kmsg` would otherwise wait forever. Anything but a
 * regular file is refused.
 */
export async function readBounded(file: string, limit: number): Promise<Buffer> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // Looked at before it is opened: opening a device may act (a tape rewinds, a terminal becomes
    // this process's); checked again once open, in case the name changed in between.
    notRegular(await stat(file));
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    if (error instanceof UnreadableFile) throw error;
    throw new UnreadableFile(readFailure(error));
  }
  try {
    notRegular(await handle.stat());
    const chunks: Buffer[] = [];
    let total = 0;
    while (total <= limit) {
      // Whole chunks: some procfs files (pagemap) read only in multiples of 8 bytes.
      const chunk = Buffer.alloc(CHUNK_BYTES);
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
    }
    if (total > limit) throw new UnreadableFile(`larger than ${formatBytes(limit)}`);
    return Buffer.concat(chunks, total);
  } catch (error) {
    if (error instanceof UnreadableFile) throw error;
    throw new UnreadableFile(readFailure(error));
  } finally {
    await handle.close();
  }
}

const CHUNK_BYTES = 64 * 1024;

/** Refuses anything but a regular file, saying what it is. */
function notRegular(info: Stats): void {
  if (!info.isFile())
    throw new UnreadableFile(
      `not a regular file${info.isDirectory() ? ' (a folder)' : info.isFIFO() ? ' (a pipe)' : ''}`,
    );
}

/** Why a file could not be read, in words: the common cases named, the rest as Node says them. */
export function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'not a regular file (a folder)';
  // Nothing to read yet, from a file that would make a reader wait (a device, /proc/kmsg).
  if (code === 'EAGAIN') return 'not a regular file (it would wait for data)';
  return (error as Error).message;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MB` : `${bytes} bytes`;
}
