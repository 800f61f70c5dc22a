import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readLines } from '../../src/process/read-lines.ts';
import { MAX_LINE_CHARACTERS } from '../../src/results/log-line.ts';

async function linesOf(chunks: string[]): Promise<[string, number][]> {
  const stream = new PassThrough();
  const lines: [string, number][] = [];
  const reader = readLines(stream, (line, cut) => lines.push([line, cut]));
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  await reader.ended;
  return lines;
}

describe('reading a command’s output into lines', () => {
  it('ends a line at CRLF as at LF, across chunks too', async () => {
    expect(await linesOf(['one\r\ntwo\r', '\nthree\n'])).toEqual([
      ['one', 0],
      ['two', 0],
      ['three', 0],
    ]);
  });

  it('keeps the last state of a line redrawn in place with \\r, as a terminal shows it', async () => {
    expect(
      await linesOf([
        'Writing objects:  10% (1/10)\rWriting objects:  50%',
        ' (5/10)\r',
        'Writing objects: 100% (10/10), done.\n',
      ]),
    ).toEqual([['Writing objects: 100% (10/10), done.', 0]]);
  });

  it('cuts a long line and counts what it cut; a redraw starts the count again', async () => {
    const long = 'x'.repeat(MAX_LINE_CHARACTERS + 10);
    expect(await linesOf([`${long}\n`, `${long}\rshort\n`])).toEqual([
      ['x'.repeat(MAX_LINE_CHARACTERS), 10],
      ['short', 0],
    ]);
  });
});
