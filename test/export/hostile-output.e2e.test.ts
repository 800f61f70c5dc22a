import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH } from '../helpers/scenarios.ts';
import { startTcpServer, type TestServer } from '../helpers/servers.ts';

/** Any character a terminal, an XML parser or a reader would act on; tab and newline are text. */
const RAW_CONTROL =
  /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/;

/** Release names that are also the names of Object.prototype's properties. */
const RELEASES = ['constructor', '__proto__', 'toString'];

/**
 * A hostile target, answering over raw TCP (Node's HTTP server would refuse such headers): each
 * release named like an Object.prototype property, and an instance name carrying a C1 control
 * (0x9B, CSI on 8-bit terminals), which HTTP allows as obs-text.
 */
async function hostileTarget(): Promise<TestServer> {
  let n = 0;
  return startTcpServer((socket) => {
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) break;
        buffered = buffered.slice(end + 4);
        const release = RELEASES[n++ % RELEASES.length];
        const body = 'ok';
        socket.write(
          Buffer.from(
            `HTTP/1.1 200 OK\r\nx-release: ${release}\r\nx-instance: web\x9b2J\u00ff.1\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
            'latin1',
          ),
        );
      }
    });
    socket.on('error', () => {});
  });
}

describe('a hostile target and a deploy whose output is hostile', () => {
  let target: TestServer;
  let out: string;
  let run: Awaited<ReturnType<typeof execa>>;
  const work = mkdtempSync(path.join(os.tmpdir(), 'bench-hostile-'));

  beforeAll(async () => {
    target = await hostileTarget();
    // The deploy prints colours, sets the window title, forges a line with cursor-up and erase,
    // rings the bell, writes a C1 control and a right-to-left override, then fails.
    const deploy = [
      String.raw`printf '\033[31mremote: rejected\033[0m\n'`,
      String.raw`printf '\033]0;pwned\007\n'`,
      String.raw`printf '\033[1A\033[2K\033[32mGates: all passed.\033[0m\n'`,
      String.raw`printf 'bell\007 back\010space vt\013 ff\014 cr\r done\n'`,
      String.raw`printf '\302\233 csi \342\200\256 rtl\n'`,
      'exit 1',
    ].join('; ');
    const scenario = path.join(work, 'hostile.yaml');
    writeFileSync(
      scenario,
      `name: "hostile target"
description: "a description with \\e[31m colour and <script>alert(1)</script> @someone https://example.com"
target: { url: "${target.origin}/" }
load: { users: 2, releaseHeader: x-release, instanceHeader: x-instance }
timeline: { settle: 0ms, warmup: 400ms, cooldown: 300ms }
variants:
  - name: push
    description: "\\e]0;title\\a <b>bold</b> | table | #1 \u202e reversed"
    command: ${JSON.stringify(deploy)}
gates: ["push.errors == 0"]
`,
    );
    out = path.join(work, 'out');
    run = await execa('node', [BENCH, 'run', scenario, '--out', out], {
      reject: false,
      env: { CI: '1' },
    });
  }, 60_000);

  afterAll(async () => {
    await target?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('ends as a failed run (exit 3): the deploy failed', () => {
    expect(run.exitCode, String(run.stderr)).toBe(3);
  });

  it('shows the deploy output on the terminal without acting on it', () => {
    const terminal = `${run.stdout}\n${run.stderr}`;
    expect(terminal).not.toMatch(RAW_CONTROL);
    // What was hostile is visible, as names of the characters.
    expect(terminal).toContain('last output: <U+009B> csi <U+202E> rtl');
  });

  it('writes no raw control character into any report, and shows the output in the page', () => {
    // The page keeps the deploy's whole output, each control shown as a picture of itself.
    const html = readFileSync(path.join(out, 'index.html'), 'utf8');
    expect(html).toContain('␛]0;pwned␇');
    expect(html).toContain('␛[1A␛[2KGates: all passed.');
    for (const file of readdirSync(out).filter((f) => !f.endsWith('.png'))) {
      const text = readFileSync(path.join(out, file), 'utf8');
      expect(text, file).not.toMatch(RAW_CONTROL);
    }
  });

  it('writes a junit.xml that a real XML parser reads, with the deploy’s failure in it', () => {
    const junit = path.join(out, 'junit.xml');
    // Python's expat: a strict, independent XML 1.0 parser.
    const parsed = execFileSync(
      'python3',
      [
        '-c',
        'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); print(len(d.getElementsByTagName("testcase")), len(d.getElementsByTagName("error")))',
        junit,
      ],
      { encoding: 'utf8' },
    );
    expect(parsed.trim()).toBe('2 1');
  });

  it('counts releases named constructor, __proto__ and toString like any other', () => {
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    const overall = results.variants[0].trials[0].recording.overall;
    const counted = RELEASES.map((r) => overall.releases[r] as number);
    for (const count of counted) expect(count).toBeGreaterThan(0);
    // Every answer carried one of them: the counts add up to the answers.
    expect(counted.reduce((a, b) => a + b, 0)).toBe(overall.statuses['200']);
  });

  it('keeps Markdown from mentioning, linking or running HTML', () => {
    const md = readFileSync(path.join(out, 'summary.md'), 'utf8');
    expect(md).not.toMatch(/<script|<b>/);
    expect(md).not.toMatch(/(^|[^&#8203;])@someone/);
  });
});
