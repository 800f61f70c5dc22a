/**
 * One sanitiser per output format. Every string that came from outside the tool — a scenario's
 * names, a target's headers, a deploy's output, an error's message — reaches a report or the
 * terminal through the sanitiser of that format (docs/security.md). Matching control characters is
 * this file's purpose: biome.json lets its regular expressions name them.
 */

/** Colour and style sequences (SGR): common in `git push` and `kubectl` output, and harmless once gone. */
const SGR = /\x1b\[[0-9;:]*m/g;
/**
 * Characters that a terminal, an XML parser or a reader would act on rather than show: C0 controls
 * but tab and newline, DEL, C1 controls, the line and paragraph separators, the bidirectional marks,
 * overrides and isolates ("Trojan source"), the invisible format characters (zero-width space, word
 * joiner, BOM, interlinear annotation, tags — not the joiners that emoji and scripts need), the
 * non-characters U+FFFE/U+FFFF, and UTF-16 halves without their other half. The one definition,
 * for every format and for the scenario's checks.
 */
const CONTROL_CHARACTER =
  '[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u061c\\u200b\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]|\\udb40[\\udc00-\\udc7f]|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const CONTROL = new RegExp(CONTROL_CHARACTER, 'g');
/** The same, to test with: a global expression keeps its place between tests. */
const ANY_CONTROL = new RegExp(CONTROL_CHARACTER);

/** Whether a text holds a control character (as above): names the tool shows must not. */
export function hasControlCharacter(text: string): boolean {
  return ANY_CONTROL.test(text);
}

function visible(c: string): string {
  const code = c.charCodeAt(0);
  // C0 and DEL have pictures of their own (U+2400 …): ESC reads as ␛, CR as ␍.
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '␡';
  // A tag character (U+E0000 block) is a pair of halves: shown by its code point.
  if (c.length === 2) return `<U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase()}>`;
  if (code >= 0xd800 && code <= 0xdfff) return '\ufffd';
  return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
}

/**
 * Colour codes removed, every other control character shown as a picture of itself: a deploy's
 * output can then neither move the cursor, set the window title nor forge a line of ours.
 */
export function showControls(text: string, keep: 'newlines' | 'nothing' = 'nothing'): string {
  const shown = text.replace(SGR, '').replace(CONTROL, visible);
  return keep === 'newlines' ? shown : shown.replace(/\n/g, '␊');
}

/** For the terminal: text the tool wrote itself may span lines; anything foreign is only shown. */
export function forTerminal(text: string): string {
  return showControls(text, 'newlines');
}

/**
 * For XML 1.0 text and attributes, before the builder escapes `& < > " '`: characters XML forbids
 * (most C0 controls, lone surrogates, U+FFFE/U+FFFF) would make junit.xml unreadable to CI.
 */
export function forXml(text: string): string {
  return showControls(text, 'newlines');
}

/** Every string inside a value (an object for an XML builder), made safe by `clean`. */
export function mapStrings<T>(value: T, clean: (text: string) => string): T {
  if (typeof value === 'string') return clean(value) as T;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, clean)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => [key, mapStrings(v, clean)]),
    ) as T;
  }
  return value;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** For text and attribute values in HTML: every string from a scenario or a response goes through it. */
export function escapeHtml(text: string): string {
  return showControls(text, 'newlines').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/**
 * JSON in which no character is raw that a reader could act on: DEL, C1 and the bidirectional
 * controls escaped as JSON escapes C0. The data is kept exactly; only its spelling changes.
 */
export function jsonText(value: unknown, indent?: number): string {
  // JSON.stringify has escaped C0 and lone surrogates already; what is left of the set is escaped here.
  // Each UTF-16 unit of the match (a tag character is two).
  const asEscapes = (c: string) =>
    Array.from(
      { length: c.length },
      (_, k) => `\\u${c.charCodeAt(k).toString(16).padStart(4, '0')}`,
    ).join('');
  return (JSON.stringify(value, null, indent) ?? 'null').replace(CONTROL, asEscapes);
}

/** JSON that is safe inside a <script> element: nothing in it can close the element or open a comment. */
export function jsonForScript(value: unknown): string {
  return jsonText(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

const MARKDOWN_ESCAPES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;' };

/**
 * For a Markdown table cell or line: no HTML, no table breaks, no emphasis by accident, and nothing
 * GitHub would act on — a zero-width space keeps `@name` from notifying a user and a URL from
 * becoming a link.
 */
export function escapeMarkdown(text: string): string {
  return showControls(text.replace(/\r?\n/g, ' '))
    .replace(/[\\`*_{}[\]<>|#~&]/g, (c) => MARKDOWN_ESCAPES[c] ?? `\\${c}`)
    .replace(/@(?=[A-Za-z0-9])/g, '@&#8203;')
    .replace(/:\/\//g, ':&#8203;//')
    .replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}&#8203;.`);
}

/** For a line inside a Markdown code block, where nothing is escaped: only what could end the block. */
export function markdownCodeLine(text: string): string {
  return showControls(text).replaceAll('`', "'");
}
