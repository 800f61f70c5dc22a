import { describe, expect, it } from 'vitest';
import { escapeHtml, escapeMarkdown, jsonForScript } from '../../src/export/escape.ts';
import { decimate } from '../../src/report/decimate.ts';

describe('escaping', () => {
  it('leaves no markup in HTML text', () => {
    expect(escapeHtml(`<img src=x onerror="alert('1')">&`)).toBe(
      '&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;',
    );
  });

  it('keeps JSON inside a script element from closing it', () => {
    const json = jsonForScript({ name: '</script><!-- & \u2028' });
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual({ name: '</script><!-- & \u2028' });
  });

  it('keeps a Markdown table cell one cell', () => {
    expect(escapeMarkdown('a | b <i>*c*</i>\nd')).toBe('a \\| b &lt;i&gt;\\*c\\*&lt;/i&gt; d');
  });
});

describe('decimate', () => {
  const series = Array.from({ length: 10 }, (_, i) => ({ x: i, y: i === 7 ? 100 : i }));

  it('keeps short series as they are', () => {
    expect(decimate(series, 10, 'max')).toEqual(series);
  });

  it('keeps every maximum when thinning for latency', () => {
    const thinned = decimate(series, 3, 'max');
    expect(thinned).toHaveLength(3);
    expect(thinned.map((p) => p.y)).toContain(100);
    expect(thinned).toEqual([
      { x: 2, y: 2 },
      { x: 5, y: 5 },
      { x: 7, y: 100 },
    ]);
  });

  it('keeps the first point of each run for series that must stay consistent', () => {
    expect(decimate(series, 5, 'first').map((p) => p.x)).toEqual([0, 2, 4, 6, 8]);
  });
});
