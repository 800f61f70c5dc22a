import { pageHead, vendorScripts } from '../export/html.ts';
import { escapeHtml as e } from '../text/escape.ts';
import { LOG_TICK_LABELS_SOURCE } from '../view/charts/style.ts';

const STYLE = `
  body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1360px; padding: 12px 20px; color: #222; overflow-wrap: anywhere; }
  h1 { margin: 0 0 2px; font-size: 22px; } h2 { font-size: 17px; margin: 20px 0 6px; border-bottom: 1px solid #ddd; padding-bottom: 3px; }
  .meta { color: #666; font-size: 13px; margin: 0 0 6px; }
  #status { font-size: 17px; padding: 8px 14px; background: #f4f8fb; border-left: 4px solid #1f77b4; margin: 8px 0; }
  #status .stage { font-weight: 600; }
  progress { width: 100%; height: 8px; }
  #figures { display: flex; flex-wrap: wrap; gap: 6px 22px; margin: 8px 0; }
  #figures div { min-width: 110px; } #figures b { display: block; font-size: 20px; } #figures .bad b { color: #b71c1c; }
  table { border-collapse: collapse; } th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: left; }
  td.share { text-align: right; white-space: nowrap; }
  tr[data-traffic="yes"] td.share { color: #1b5e20; font-weight: 600; }
  tr[data-state="booting"] td.state { color: #8a6d00; } tr[data-state="stopping"] td.state, tr[data-state="stopped"] td.state { color: #a33a3a; }
  .gate { padding: 3px 12px; margin: 3px 0; border-left: 4px solid #999; background: #f7f7f7; }
  .gate[data-status="failed"] { border-color: #b71c1c; background: #fdecea; color: #b71c1c; font-weight: 600; }
  .gate[data-status="holding"], .gate[data-status="passed"] { border-color: #2e7d32; }
  .gate[data-status="waiting"] { border-color: #8a4b00; }
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(520px, 100%), 1fr)); gap: 16px; }
  figure { margin: 0; min-width: 0; } .chart { position: relative; } figcaption { color: #666; font-size: 12px; }
  #outcome { font-weight: 600; padding: 8px 14px; background: #e8f5e9; border-left: 4px solid #2e7d32; }
  #connection[data-live="lost"] { color: #b71c1c; }
  .scroll { overflow-x: auto; }
  @media (max-width: 600px) { body { padding: 8px; } #status { font-size: 15px; } #figures b { font-size: 17px; } }
`;

/**
 * The page's script: it follows /events (server-sent events, once a second) and redraws the
 * status, the figures, the instances (each row says its state and share as data attributes, for
 * people and for tests) and the charts, which come as the report's own Chart.js configurations.
 * Everything from the run is set as text, never as markup.
 */
const SCRIPT = `
(function () {
  Chart.register(window['chartjs-plugin-annotation']);
  (${LOG_TICK_LABELS_SOURCE})(Chart);
  var charts = {};
  var $ = function (id) { return document.getElementById(id); };
  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    return node;
  }
  function ms(v) { return v >= 1000 ? (v / 1000).toFixed(2) + ' s' : Math.round(v) + ' ms'; }
  function figure(label, value, bad) {
    var d = el('div', undefined, bad ? { class: 'bad' } : {});
    d.appendChild(el('b', value)); d.appendChild(el('span', label)); return d;
  }
  function drawCharts(specs) {
    var seen = {};
    specs.forEach(function (spec) {
      seen[spec.id] = true;
      var config = spec.config;
      config.options = Object.assign({}, config.options, { responsive: true, maintainAspectRatio: false, animation: false });
      var chart = charts[spec.id];
      if (!chart) {
        var fig = el('figure', undefined, { 'data-chart': spec.kind, id: 'figure-' + spec.id });
        var box = el('div', undefined, { class: 'chart', style: 'height: ' + spec.height + 'px' });
        var canvas = el('canvas', undefined, { role: 'img', 'aria-label': spec.title });
        box.appendChild(canvas); fig.appendChild(box); fig.appendChild(el('figcaption', spec.caption));
        $('charts').appendChild(fig);
        charts[spec.id] = new Chart(canvas, config);
        return;
      }
      chart.canvas.parentNode.style.height = spec.height + 'px';
      chart.data = config.data; chart.options = config.options; chart.update('none');
    });
    Object.keys(charts).forEach(function (id) {
      if (seen[id]) return;
      charts[id].destroy(); delete charts[id];
      var fig = $('figure-' + id); if (fig) fig.remove();
    });
  }
  /** Changes only what changed: a browser on this page must cost the run as little as it can. */
  function setText(node, text) { if (node.textContent !== text) node.textContent = text; }
  function setAttr(node, name, value) { if (node.getAttribute(name) !== value) node.setAttribute(name, value); }
  var last = {};
  /** Rebuilds a section only when what it shows changed. */
  function changed(key, value) {
    var json = JSON.stringify(value);
    if (last[key] === json) return false;
    last[key] = json; return true;
  }
  function showFigures(load) {
    var f = $('figures');
    if (!load) { f.textContent = ''; return; }
    var items = [
      ['requests', String(load.requests), false],
      ['failed', String(load.failed), load.failed > 0],
      ['req/s', load.rate === undefined ? '…' : String(Math.round(load.rate)), false],
      ['in flight', String(load.inFlight), false],
      ['oldest in flight', ms(load.oldestInFlightMs), load.oldestInFlightMs >= 1000],
      ['worst so far', ms(load.worstMs), false]
    ];
    if (f.children.length !== items.length) {
      f.textContent = '';
      items.forEach(function (item) { f.appendChild(figure(item[0], item[1], item[2])); });
      return;
    }
    items.forEach(function (item, i) {
      var box = f.children[i];
      setText(box.firstChild, item[1]);
      setAttr(box, 'class', item[2] ? 'bad' : '');
    });
  }
  function showInstances(live) {
    var table = $('instances'); var body = table.tBodies[0];
    var trial = live.trial;
    if (trial && trial.t !== undefined) table.setAttribute('data-t', String(trial.t)); else table.removeAttribute('data-t');
    setAttr(table, 'data-variant', trial ? trial.variant : '');
    var rows = {};
    Array.prototype.forEach.call(body.rows, function (row) { rows[row.getAttribute('data-instance')] = row; });
    live.instances.forEach(function (i, index) {
      var row = rows[i.id];
      if (!row) {
        row = el('tr', undefined, { 'data-instance': i.id });
        for (var c = 0; c < 5; c++) row.appendChild(el('td'));
        row.cells[2].className = 'state'; row.cells[3].className = 'share';
      }
      delete rows[i.id];
      var traffic = i.share > 0;
      setAttr(row, 'data-state', i.state);
      setAttr(row, 'data-share', String(i.share));
      setAttr(row, 'data-traffic', traffic ? 'yes' : 'no');
      setText(row.cells[0], i.id);
      setText(row.cells[1], i.release || '');
      setText(row.cells[2], i.state + (i.notRouted ? ', not routed' : '') + (i.forMs !== undefined ? ' for ' + (i.forMs / 1000).toFixed(1) + ' s' : ''));
      setText(row.cells[3], traffic ? '◀ ' + Math.round(100 * i.share) + ' % of traffic' : '');
      setText(row.cells[4], String(i.requests));
      if (body.rows[index] !== row) body.insertBefore(row, body.rows[index] || null);
    });
    Object.keys(rows).forEach(function (id) { rows[id].remove(); });
    $('no-instances').hidden = live.instances.length > 0;
  }
  function show(live) {
    var trial = live.trial;
    setText($('state'), trial ? trial.variant + ' · trial ' + trial.trial + '/' + live.trialsPerVariant + ' · ' : live.state);
    setText($('stage'), trial ? trial.stage : '');
    setText($('phase'), trial && trial.phase ? ' · ' + trial.phase : '');
    if (Math.abs($('done').value - live.done) >= 0.005) $('done').value = live.done;
    showFigures(live.load);
    showInstances(live);
    if (changed('gates', live.gates)) {
      var gates = $('gates'); gates.textContent = '';
      live.gates.forEach(function (g) {
        gates.appendChild(el('p', g.expression + ' — ' + g.status + ' (' + g.note + ')', { class: 'gate', 'data-status': g.status }));
      });
      $('gates-heading').hidden = live.gates.length === 0;
    }
    if (changed('ended', live.ended)) {
      var ended = $('ended').tBodies[0]; ended.textContent = '';
      live.ended.forEach(function (t) {
        var row = el('tr');
        [t.variant, String(t.trial), t.status, String(t.requests), String(t.failed), ms(t.longestMs), ms(t.userWaitMs), t.findings.join('; ') || 'nothing found']
          .forEach(function (text) { row.appendChild(el('td', text)); });
        ended.appendChild(row);
      });
      $('ended-section').hidden = live.ended.length === 0;
    }
    if (live.outcome && changed('outcome', live.outcome)) {
      var out = $('outcome'); out.hidden = false; out.textContent = live.outcome.line + ' ';
      if (live.outcome.report) {
        out.appendChild(el('a', 'Open the report', { href: 'report' }));
        out.appendChild(el('span', ' (' + live.outcome.report + ')'));
      }
    }
  }
  var source = new EventSource('events');
  source.onmessage = function (message) {
    var update = JSON.parse(message.data);
    show(update.snapshot);
    // A page nobody looks at (a background tab) keeps its charts until it is looked at again.
    if (update.charts && !document.hidden) drawCharts(update.charts);
    var ended = update.snapshot.state === 'ended';
    setAttr($('connection'), 'data-live', ended ? 'ended' : 'live');
    setText($('connection'), ended ? 'the run ended' : 'live, as it happens');
    // The run is over: nothing more will come, and the server may be gone.
    if (update.snapshot.state === 'ended') source.close();
  };
  source.onerror = function () {
    if ($('connection').getAttribute('data-live') === 'ended') return;
    $('connection').setAttribute('data-live', 'lost');
    $('connection').textContent = 'connection lost: retrying';
  };
})();
`;

/** The live page: self-contained like the report (Chart.js inlined), fed by /events. */
export function livePage(scenario: string): string {
  return `${pageHead(`deploy-bench live — ${scenario}`, STYLE, "'self'")}
<body>
<h1>${e(scenario)}</h1>
<p class="meta">deploy-bench · <span id="connection" data-live="connecting">connecting…</span></p>
<p id="status"><span id="state">starting</span><span class="stage" id="stage"></span><span id="phase"></span></p>
<progress id="done" max="1" value="0"></progress>
<p id="outcome" hidden></p>
<section id="figures"></section>
<h2 id="gates-heading" hidden>Gates</h2>
<section id="gates"></section>
<h2>Instances</h2>
<div class="scroll"><table id="instances"><thead><tr><th>instance</th><th>release</th><th>state</th><th>traffic (last 2 s)</th><th>answered</th></tr></thead><tbody></tbody></table></div>
<p class="meta" id="no-instances">No instance named yet.</p>
<div class="charts" id="charts"></div>
<section id="ended-section" hidden>
<h2>Trials that ended</h2>
<div class="scroll"><table id="ended"><thead><tr><th>variant</th><th>trial</th><th>status</th><th>requests</th><th>failed</th><th>longest</th><th>user wait</th><th>findings</th></tr></thead><tbody></tbody></table></div>
</section>
<script>${vendorScripts()}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
