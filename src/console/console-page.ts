/**
 * The console page: one self-contained HTML file (inline CSS and script, no CDN, no fonts,
 * no network but this server's API). It polls /api/state once a second and draws its
 * charts as SVG itself. Every changing action goes through the page's own confirmation
 * dialog (#confirm), not window.confirm, so a test can drive it like a person.
 *
 * The same page serves a team's own stack (`stack up --stack`): /api/catalogue then names
 * the stack, its entry and its classifier, and the script hides the reference gateway's
 * Prometheus view (its entry is not read from Prometheus) instead of drawing empty charts.
 *
 * The script avoids template literals and `${`, since the page lives in a TS template string.
 */
const CSS = `
*{box-sizing:border-box}body{margin:0;font:14px/1.4 system-ui,sans-serif;background:#0f1419;color:#e6e6e6}
header{display:flex;align-items:center;gap:16px;padding:10px 18px;background:#1a2129;border-bottom:1px solid #2c3640}
header h1{font-size:18px;margin:0}header .meta{color:#9aa5b1;font-size:12px;flex:1}
button{font:inherit;border:1px solid #3a4653;background:#25303b;color:#e6e6e6;border-radius:4px;padding:5px 12px;cursor:pointer}
button:hover{background:#2f3c49}button.danger{background:#8b1e1e;border-color:#b33}button.danger:hover{background:#a52626}
button.primary{background:#1f5f99;border-color:#2d7cc4}
main{display:grid;grid-template-columns:1fr 380px;gap:14px;padding:14px 18px}
.tiles{display:grid;grid-template-columns:repeat(5,1fr);gap:10px;margin-bottom:12px}
.tile{background:#1a2129;border:1px solid #2c3640;border-radius:6px;padding:8px 10px}.tile .k{color:#9aa5b1;font-size:12px}.tile .v{font-size:22px;font-variant-numeric:tabular-nums}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:10px}
figure{margin:0;background:#1a2129;border:1px solid #2c3640;border-radius:6px;padding:6px 8px}figcaption{font-size:12px;color:#9aa5b1}
svg{display:block;width:100%;height:170px}.grid{stroke:#2c3640}.axis{fill:#9aa5b1;font-size:10px}
.band{fill:#9b59b6;opacity:.22}.line{fill:none;stroke-width:1.8}.s0{stroke:#4aa3df}.s1{stroke:#f39c12}.s2{stroke:#e74c3c;stroke-dasharray:4 3}
section{background:#1a2129;border:1px solid #2c3640;border-radius:6px;padding:8px 10px;margin-bottom:10px}
section h2{font-size:13px;margin:0 0 6px;color:#9aa5b1;text-transform:uppercase;letter-spacing:.04em}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:2px 6px;border-bottom:1px solid #2c3640;font-size:13px}
ul{list-style:none;margin:0;padding:0}li{padding:3px 0;border-bottom:1px solid #2c3640;display:flex;gap:8px;align-items:center}li span{flex:1}
label{display:block;font-size:12px;color:#9aa5b1;margin-top:4px}input,select{font:inherit;width:100%;background:#0f1419;color:#e6e6e6;border:1px solid #3a4653;border-radius:4px;padding:4px}
.row{display:flex;gap:8px;margin-top:8px}.open{color:#e74c3c}.closed{color:#2ecc71}.half-open{color:#f39c12}
#confirm{position:fixed;inset:0;background:rgba(0,0,0,.6);display:none;align-items:center;justify-content:center}
#confirm.show{display:flex}#confirm .box{background:#1a2129;border:1px solid #3a4653;border-radius:8px;padding:18px;max-width:460px}
#error{color:#ff8a80;min-height:1.2em;font-size:13px}.muted{color:#9aa5b1}#actions li{font-size:12px}
[hidden]{display:none!important}
`;

const SCRIPT = `
'use strict';
var $ = function (id) { return document.getElementById(id); };
var HDR = { 'content-type': 'application/json', 'x-peakready-console': '1' };
var catalogue = { kinds: [], targets: [] };
var pending = null;
var last = null;

function el(tag, text, cls) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }
function count(v, max) { return v.toFixed(max < 10 ? 1 : 0); }
function fmtMs(v) { return v >= 1000 ? (v / 1000).toFixed(2) + ' s' : v.toFixed(v < 10 ? 1 : 0) + ' ms'; }
function showError(msg) { $('error').textContent = msg || ''; }

function api(method, path, body) {
  return fetch(path, { method: method, headers: HDR, body: body === undefined ? undefined : JSON.stringify(body) }).then(function (r) {
    return r.json().then(function (j) { if (!r.ok) throw new Error(j.error ? j.error.message : 'HTTP ' + r.status); return j; });
  });
}

/* The page's own confirmation step: text, then Confirm or Cancel. */
function confirmThen(text, action) {
  pending = action;
  $('confirm-text').textContent = text;
  $('confirm').className = 'show';
  $('confirm-yes').focus();
}
function closeConfirm() { pending = null; $('confirm').className = ''; }

/* What the catalogue says about the traffic and, for a team's own stack, the stack itself. */
function trafficView() { return catalogue.traffic || { mix: 'seed mix', target: 'the gateway' }; }
function applyView() {
  var t = trafficView();
  $('t-rate').parentNode.firstChild.nodeValue = 'rate (req/s, ' + t.mix + ')';
  var st = catalogue.stack;
  if (!st) return;
  $('gw-caption').hidden = true;
  $('gw-tiles').hidden = true;
  $('own-view').hidden = false;
  $('entry-note').textContent = 'stack ' + st.name + ' (' + st.file + ') · above: the background traffic to its entry ' + st.entry +
    ', measured by the load engine; answers classified by the stack (fallback: ' + st.classifier.fallback + (st.classifier.cache ? '; cache: ' + st.classifier.cache : '') +
    '). The entry is not read from Prometheus: the gateway view (gateway_* metrics) belongs to the reference stack.';
  document.querySelector('#chart-latency figcaption').textContent = 'latency p50 (blue), p99 (orange) of the background traffic; purple: faults';
  document.querySelector('#chart-fallback figcaption').textContent = 'fallback share (' + st.classifier.fallback + ')';
}

function chart(id, points, series, opts) {
  var svg = $(id).querySelector('svg');
  var W = 560, H = 170, L = 44, R = 8, T = 8, B = 18;
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
  var now = last ? last.t : 0, t0 = Math.max(0, now - 120);
  var max = opts.min || 1;
  series.forEach(function (s) { (s.points || points).forEach(function (p) { var v = p[s.key]; if (typeof v === 'number' && p.t >= t0 && v > max) max = v; }); });
  max = max * 1.1;
  var x = function (t) { return L + (W - L - R) * (t - t0) / Math.max(1, now - t0); };
  var y = function (v) { return T + (H - T - B) * (1 - v / max); };
  var ns = 'http://www.w3.org/2000/svg';
  function add(tag, attrs, text) { var e = document.createElementNS(ns, tag); for (var k in attrs) e.setAttribute(k, attrs[k]); if (text !== undefined) e.textContent = text; svg.appendChild(e); return e; }
  (last ? last.faultTimeline : []).forEach(function (f) {
    var a = Math.max(t0, f.startMs / 1000), active = isActive(f.id), b = active ? now : f.endMs / 1000;
    if (b < t0) return;
    var r = add('rect', { 'class': 'band', x: x(a), y: T, width: Math.max(2, x(b) - x(a)), height: H - T - B });
    var tt = document.createElementNS(ns, 'title'); tt.textContent = f.kind + ' on ' + f.target; r.appendChild(tt);
  });
  for (var i = 0; i <= 4; i++) {
    var v = max * i / 4;
    add('line', { 'class': 'grid', x1: L, x2: W - R, y1: y(v), y2: y(v) });
    add('text', { 'class': 'axis', x: 2, y: y(v) + 3 }, opts.fmt(v, max));
  }
  add('text', { 'class': 'axis', x: L, y: H - 4 }, 't=' + Math.round(t0) + 's');
  add('text', { 'class': 'axis', x: W - R - 40, y: H - 4 }, 't=' + Math.round(now) + 's');
  series.forEach(function (s, si) {
    var d = '';
    (s.points || points).forEach(function (p) { var v = p[s.key]; if (typeof v !== 'number' || p.t < t0) return; d += (d ? 'L' : 'M') + x(p.t).toFixed(1) + ',' + y(v).toFixed(1); });
    if (d) add('path', { 'class': 'line s' + si, d: d }).appendChild(document.createElementNS(ns, 'title')).textContent = s.label;
  });
}

function isActive(id) { return last && last.status.activeFaults.some(function (f) { return f.id === id; }); }

function render(s) {
  last = s;
  $('meta').textContent = 'game day ' + s.runId + ' · t = ' + Math.round(s.t) + ' s · journal ' + s.outDir;
  var p = s.points.length ? s.points[s.points.length - 1] : null;
  var recent = s.points.filter(function (q) { return q.t >= s.t - 3; });
  $('stat-rate').textContent = p && recent.length ? p.rate.toFixed(0) + ' /s' : '–';
  $('stat-p50').textContent = p && recent.length ? fmtMs(p.p50) : '–';
  $('stat-p99').textContent = p && recent.length ? fmtMs(p.p99) : '–';
  $('stat-errors').textContent = p && recent.length ? String(p.errors) + ' /s' : '–';
  $('stat-fallback').textContent = p && recent.length && p.fallbackShare !== undefined && p.fallbackShare !== null ? (p.fallbackShare * 100).toFixed(0) + ' %' : '–';
  var pts = s.points.map(function (q) { return { t: q.t, rate: q.rate, p50: q.p50, p99: q.p99, errors: q.errors, fallback: q.fallbackShare === undefined || q.fallbackShare === null ? undefined : q.fallbackShare * 100 }; });
  chart('chart-rate', pts, [{ key: 'rate', label: 'completed req/s' }], { fmt: count });
  chart('chart-latency', pts, [{ key: 'p50', label: 'p50' }, { key: 'p99', label: 'p99' }, { key: 'p99', label: 'gateway p99 (Prometheus)', points: s.gateway }], { fmt: function (v) { return v >= 1000 ? (v / 1000).toFixed(1) + 's' : v.toFixed(0) + 'ms'; } });
  chart('chart-errors', pts, [{ key: 'errors', label: 'errors/s' }], { fmt: count });
  chart('chart-fallback', pts, [{ key: 'fallback', label: 'fallback %' }], { min: 100, fmt: function (v) { return v.toFixed(0) + '%'; } });
  var g = s.gateway.length ? s.gateway[s.gateway.length - 1] : null;
  var num = function (v, f) { return typeof v === 'number' ? f(v) : '–'; };
  $('stat-gw-rate').textContent = g ? num(g.rate, function (v) { return v.toFixed(1) + ' /s'; }) : '–';
  $('stat-gw-p50').textContent = g ? num(g.p50, fmtMs) : '–';
  $('stat-gw-p99').textContent = g ? num(g.p99, fmtMs) : '–';
  $('stat-gw-errors').textContent = g ? num(g.errors, function (v) { return v.toFixed(1) + ' /s'; }) : '–';
  $('stat-gw-fallback').textContent = g ? num(g.fallbacks, function (v) { return v.toFixed(1) + ' /s'; }) : '–';
  $('stat-cache').textContent = p && recent.length && typeof p.cacheHitShare === 'number' ? (p.cacheHitShare * 100).toFixed(0) + ' %' : '–';
  var window30 = s.points.filter(function (q) { return q.t >= s.t - 30; });
  var lat = $('chart-latency');
  lat.setAttribute('data-last-p99', p ? String(p.p99) : '');
  lat.setAttribute('data-max-p99-30s', String(window30.reduce(function (m, q) { return Math.max(m, q.p99); }, 0)));

  var tb = $('services').querySelector('tbody');
  tb.textContent = '';
  s.status.services.forEach(function (svc) {
    var tr = el('tr'); tr.setAttribute('data-service', svc.name);
    [svc.name, svc.ready + '/' + svc.replicas, String(svc.restarts), svc.version || '–'].forEach(function (c) { tr.appendChild(el('td', c)); });
    tb.appendChild(tr);
  });
  var br = $('breakers'); br.textContent = '';
  var bs = s.status.breakers || {};
  Object.keys(bs).forEach(function (k) { var li = el('li'); li.setAttribute('data-upstream', k); li.appendChild(el('span', k)); li.appendChild(el('b', bs[k], bs[k])); br.appendChild(li); });
  if (!Object.keys(bs).length) br.appendChild(el('li', catalogue.stack ? 'no breaker state (the stack file declares none, or Prometheus has none yet)' : 'gateway not answering', 'muted'));

  var af = $('active-faults'); af.textContent = '';
  s.status.activeFaults.forEach(function (f) {
    var li = el('li'); li.setAttribute('data-fault-id', f.id);
    li.appendChild(el('span', f.kind + ' on ' + f.target + ' · ' + Math.round(f.sinceMs / 1000) + ' s'));
    var b = el('button', 'clear'); b.onclick = function () { confirmThen('Revert fault ' + f.id + ' (' + f.kind + ' on ' + f.target + ')?', function () { return api('DELETE', '/api/faults/' + encodeURIComponent(f.id)); }); };
    li.appendChild(b); af.appendChild(li);
  });
  if (!s.status.activeFaults.length) af.appendChild(el('li', 'none', 'muted none'));
  $('traffic-state').textContent = s.traffic ? 'running at ' + s.traffic.rate + ' req/s since t=' + s.traffic.sinceS + ' s' : 'stopped';
  var al = $('actions'); al.textContent = '';
  s.actions.slice().reverse().forEach(function (a) { al.appendChild(el('li', 't=' + Math.round(a.atMs / 1000) + 's  ' + a.message)); });
}

function poll() {
  fetch('/api/state', { headers: { accept: 'application/json' } }).then(function (r) { return r.json(); }).then(function (s) {
    $('conn').textContent = ''; render(s);
  }).catch(function () { $('conn').textContent = 'console not answering (stack stopped?)'; });
}

function paramFields() {
  var kind = $('f-kind').value, box = $('f-params');
  box.textContent = '';
  var k = catalogue.kinds.filter(function (x) { return x.kind === kind; })[0];
  $('f-desc').textContent = k ? k.description : '';
  (k ? k.params : []).forEach(function (p) {
    var l = el('label', p.name); var i = el('input'); i.name = p.name; i.id = 'p-' + p.name; i.placeholder = p.placeholder; i.setAttribute('data-type', p.type);
    l.appendChild(i); box.appendChild(l);
  });
}

function faultRequest() {
  var req = { kind: $('f-kind').value, target: $('f-target').value, params: {} };
  if ($('f-for').value.trim()) req.for = $('f-for').value.trim();
  Array.prototype.forEach.call($('f-params').querySelectorAll('input'), function (i) {
    var v = i.value.trim(); if (!v) return;
    req.params[i.name] = i.getAttribute('data-type') === 'number' ? Number(v) : v;
  });
  return req;
}

function init() {
  api('GET', '/api/catalogue').then(function (c) {
    catalogue = c;
    c.kinds.forEach(function (k) { var o = el('option', k.kind); o.value = k.kind; $('f-kind').appendChild(o); });
    c.targets.forEach(function (t) { var o = el('option', t); o.value = t; $('f-target').appendChild(o); });
    $('f-kind').value = 'latency';
    paramFields();
    applyView();
  }).catch(function (e) { showError(e.message); });
  $('f-kind').onchange = paramFields;
  $('inject').onclick = function () {
    var req = faultRequest();
    var ps = Object.keys(req.params).map(function (k) { return k + '=' + req.params[k]; }).join(', ');
    confirmThen('Inject ' + req.kind + ' on ' + req.target + (ps ? ' (' + ps + ')' : '') + (req.for ? ' for ' + req.for : ' until cleared') + '?', function () { return api('POST', '/api/faults', req); });
  };
  $('clear-all').onclick = function () { confirmThen('Revert every active fault?', function () { return api('DELETE', '/api/faults'); }); };
  $('traffic-start').onclick = function () {
    var rate = Number($('t-rate').value);
    var t = trafficView();
    confirmThen('Start background traffic (' + t.mix + ') at ' + rate + ' req/s against ' + t.target + '?', function () { return api('POST', '/api/traffic', { rate: rate }); });
  };
  $('traffic-stop').onclick = function () { confirmThen('Stop the background traffic?', function () { return api('DELETE', '/api/traffic'); }); };
  $('halt').onclick = function () { confirmThen('HALT: revert every fault, stop the background traffic and write the reports?', function () { return api('POST', '/api/halt'); }); };
  $('confirm-no').onclick = closeConfirm;
  $('confirm-yes').onclick = function () {
    var action = pending; closeConfirm(); if (!action) return;
    showError('');
    action().then(poll, function (e) { showError(e.message); });
  };
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape') closeConfirm(); });
  poll();
  setInterval(poll, 1000);
}
init();
`;

const BODY = `
<header><h1>peakready · game day</h1><div class="meta"><span id="meta">connecting…</span> <span id="conn" class="open"></span></div>
<button id="halt" class="danger">HALT</button></header>
<main><div>
<div class="tiles">
<div class="tile"><div class="k">rate</div><div class="v" id="stat-rate">–</div></div>
<div class="tile"><div class="k">latency p50</div><div class="v" id="stat-p50">–</div></div>
<div class="tile"><div class="k">latency p99</div><div class="v" id="stat-p99">–</div></div>
<div class="tile"><div class="k">errors</div><div class="v" id="stat-errors">–</div></div>
<div class="tile"><div class="k">fallback share</div><div class="v" id="stat-fallback">–</div></div>
</div>
<div class="k muted" id="gw-caption" style="margin:-4px 0 4px">above: background traffic, measured by the load engine · below: the gateway as Prometheus sees it (all traffic, yours included; 5 s rates)</div>
<div class="tiles" id="gw-tiles">
<div class="tile"><div class="k">gateway rate</div><div class="v" id="stat-gw-rate">–</div></div>
<div class="tile"><div class="k">gateway p50</div><div class="v" id="stat-gw-p50">–</div></div>
<div class="tile"><div class="k">gateway p99</div><div class="v" id="stat-gw-p99">–</div></div>
<div class="tile"><div class="k">gateway errors</div><div class="v" id="stat-gw-errors">–</div></div>
<div class="tile"><div class="k">fallbacks</div><div class="v" id="stat-gw-fallback">–</div></div>
</div>
<div id="own-view" hidden><div class="k muted" id="entry-note" style="margin:-4px 0 4px"></div>
<div class="tiles"><div class="tile"><div class="k">cache hit ratio</div><div class="v" id="stat-cache">–</div></div></div></div>
<div class="charts">
<figure id="chart-rate"><figcaption>completed requests/s</figcaption><svg role="img" aria-label="request rate"></svg></figure>
<figure id="chart-latency"><figcaption>latency p50 (blue), p99 (orange), gateway p99 from Prometheus (red, dashed); purple: faults</figcaption><svg role="img" aria-label="latency"></svg></figure>
<figure id="chart-errors"><figcaption>errors/s</figcaption><svg role="img" aria-label="errors"></svg></figure>
<figure id="chart-fallback"><figcaption>fallback share (x-model-type: fallback)</figcaption><svg role="img" aria-label="fallback share"></svg></figure>
</div>
<section style="margin-top:10px"><h2>recent actions</h2><ul id="actions"></ul></section>
</div><div>
<section><h2>active faults</h2><ul id="active-faults"></ul><div class="row"><button id="clear-all">clear all</button></div></section>
<section><h2>inject a fault</h2>
<label>kind<select id="f-kind"></select></label><div id="f-desc" class="muted" style="font-size:12px"></div>
<label>target<select id="f-target"></select></label>
<label>for (empty: until cleared)<input id="f-for" placeholder="2m"></label>
<div id="f-params"></div>
<div class="row"><button id="inject" class="primary">inject…</button></div><div id="error"></div></section>
<section><h2>background traffic</h2><div id="traffic-state" class="muted">stopped</div>
<label>rate (req/s, seed mix)<input id="t-rate" type="number" min="1" value="20"></label>
<div class="row"><button id="traffic-start">start</button><button id="traffic-stop">stop</button></div></section>
<section><h2>services</h2><table id="services"><thead><tr><th>service</th><th>ready</th><th>restarts</th><th>version</th></tr></thead><tbody></tbody></table></section>
<section><h2>breakers</h2><ul id="breakers"></ul></section>
</div></main>
<div id="confirm" role="dialog" aria-modal="true"><div class="box"><p id="confirm-text"></p>
<div class="row"><button id="confirm-yes" class="danger">confirm</button><button id="confirm-no">cancel</button></div></div></div>
`;

/** The whole page. */
export const CONSOLE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>peakready · game day</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${CSS}</style></head>
<body>${BODY}<script>${SCRIPT}</script></body></html>
`;
