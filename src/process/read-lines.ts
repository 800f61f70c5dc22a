import type { Readable } from 'node:stream';
import { MAX_LINE_CHARACTERS } from '../results/log-line.ts';

/**
 * Splits a stream into lines as they come. A line longer than MAX_LINE_CHARACTERS is kept cut, with
 * the count of what was cut: a 50 MB line without a newline must not be held in memory. A carriage
 * return is read as a terminal shows it: before a newline it ends the line (CRLF output), elsewhere
 * the text after it replaces the line (a progress counter redrawn in place keeps its last state).
 */
export function readLines(stream: Readable | null, onLine: (line: string, cut: number) => void) {
  let pending = '';
  let cut = 0;
  /** A \r was read and nothing after it yet: the next text starts the line again. */
  let returned = false;
  const flush = () => {
    onLine(pending, cut);
    pending = '';
    cut = 0;
    returned = false;
  };
  let chunks = 0;
  const onData = (chunk: string) => {
    chunks++;
    let start = 0;
    for (let newline = chunk.indexOf('\n'); newline !== -1; newline = chunk.indexOf('\n', start)) {
      append(chunk.slice(start, newline));
      flush();
      start = newline + 1;
    }
    append(chunk.slice(start));
  };
  const append = (text: string) => {
    if (!text.includes('\r') && !returned) {
      keep(text);
      return;
    }
    for (const [i, piece] of text.split('\r').entries()) {
      if (i > 0) returned = true;
      if (piece === '') continue;
      if (returned) {
        pending = '';
        cut = 0;
        returned = false;
      }
      keep(piece);
    }
  };
  const keep = (text: string) => {
    const room = MAX_LINE_CHARACTERS - pending.length;
    if (text.length <= room) pending += text;
    else {
      pending += text.slice(0, Math.max(0, room));
      cut += text.length - Math.max(0, room);
    }
  };
  let ended: () => void = () => {};
  const endedPromise = new Promise<void>((resolve) => {
    ended = resolve;
  });
  const onEnd = () => {
    if (pending || cut) flush();
    ended();
  };
  stream?.setEncoding('utf8');
  stream?.on('data', onData);
  stream?.once('end', onEnd);
  if (!stream) ended();
  return {
    ended: endedPromise,
    /** How many chunks were read so far: a pipe that got none for a while is drained. */
    chunks: () => chunks,
    /** Stops keeping lines; the stream is still read (a writer must not block) but holds nothing open. */
    detach() {
      if (!stream || stream.readableEnded) return;
      stream.off('data', onData);
      stream.off('end', onEnd);
      if (pending || cut) flush();
      stream.resume();
      (stream as Readable & { unref?: () => void }).unref?.();
    },
  };
}
