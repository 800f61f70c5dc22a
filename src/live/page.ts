import { vendorScripts } from '../export/html.ts';
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
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(520px, 100%), 1fr)); gap: 16px; }
  figure { margin: 0; min-width: 0; } .chart { position: relative; } figcaption { color: #666; font-size: 12px; }
  #outcome { font-weight: 600; padding: 8px 14px; background: #e8f5e9; border-left: 4px solid #2e7d32; }
  #connection[data-live="lost"] { color: #b71c1c; }
  .scroll { overflow-x: auto; }
  @media (max-width: 600px) { body { padding: 8px; } #status { font-size: 15px; } #figures b { font-size: 17px; } }
`;

/**
 * The page's script: it follows /events (server-sent events, about twice a second) and redraws the
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
  function show(live) {
    var trial = live.trial;
    $('state').textContent = trial
      ? trial.variant + ' · trial ' + trial.trial + '/' + live.trialsPerVariant + ' · '
      : live.state;
    $('stage').textContent = trial ? trial.stage : '';
    $('phase').textContent = trial && trial.phase ? ' · ' + trial.phase : '';
    $('done').value = live.done;
    var f = $('figures'); f.textContent = '';
    if (live.load) {
      f.appendChild(figure('requests', String(live.load.requests)));
      f.appendChild(figure('failed', String(live.load.failed), live.load.failed > 0));
      f.appendChild(figure('req/s', live.load.rate === undefined ? '…' : String(Math.round(live.load.rate))));
      f.appendChild(figure('in flight', String(live.load.inFlight)));
      f.appendChild(figure('oldest in flight', ms(live.load.oldestInFlightMs), live.load.oldestInFlightMs >= 1000));
      f.appendChild(figure('worst so far', ms(live.load.worstMs)));
    }
    var table = $('instances'); var body = table.tBodies[0]; body.textContent = '';
    if (trial && trial.t !== undefined) table.setAttribute('data-t', String(trial.t)); else table.removeAttribute('data-t');
    table.setAttribute('data-variant', trial ? trial.variant : '');
    live.instances.forEach(function (i) {
      var traffic = i.share > 0;
      var row = el('tr', undefined, { 'data-instance': i.id, 'data-state': i.state, 'data-share': String(i.share), 'data-traffic': traffic ? 'yes' : 'no' });
      row.appendChild(el('td', i.id));
      row.appendChild(el('td', i.release || ''));
      row.appendChild(el('td', i.state + (i.notRouted ? ', not routed' : '') + (i.forMs !== undefined ? ' for ' + (i.forMs / 1000).toFixed(1) + ' s' : ''), { class: 'state' }));
      row.appendChild(el('td', traffic ? '◀ ' + Math.round(100 * i.share) + ' % of traffic' : '', { class: 'share' }));
      row.appendChild(el('td', String(i.requests)));
      body.appendChild(row);
    });
    $('no-instances').hidden = live.instances.length > 0;
    var gates = $('gates'); gates.textContent = '';
    live.gates.forEach(function (g) {
      gates.appendChild(el('p', g.expression + ' — ' + g.status + ' (' + g.note + ')', { class: 'gate', 'data-status': g.status }));
    });
    $('gates-heading').hidden = live.gates.length === 0;
    var ended = $('ended').tBodies[0]; ended.textContent = '';
    live.ended.forEach(function (t) {
      var row = el('tr');
      [t.variant, String(t.trial), t.status, String(t.requests), String(t.failed), ms(t.longestMs), ms(t.userWaitMs), t.findings.join('; ') || 'nothing found']
        .forEach(function (text) { row.appendChild(el('td', text)); });
      ended.appendChild(row);
    });
    $('ended-section').hidden = live.ended.length === 0;
    if (live.outcome) {
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
    drawCharts(update.charts);
    $('connection').setAttribute('data-live', update.snapshot.state === 'ended' ? 'ended' : 'live');
    $('connection').textContent = update.snapshot.state === 'ended' ? 'the run ended' : 'live, as it happens';
    document.documentElement.setAttribute('data-updates', String(Number(document.documentElement.getAttribute('data-updates') || 0) + 1));
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
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:">
<title>${e(`deploy-bench live — ${scenario}`)}</title>
<style>${STYLE}</style>
</head>
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
