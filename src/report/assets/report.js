// Hover read-out for the inline SVG charts: the values of every line at the pointer's second.
(function () {
  'use strict';
  function fmt(v, unit) {
    if (v === null || v === undefined) return '–';
    if (unit === 'ms') return v >= 1000 ? (v / 1000).toFixed(2) + 's' : v.toFixed(v < 10 ? 1 : 0) + 'ms';
    if (unit === '%') return v.toFixed(1) + '%';
    if (unit === 'rps') return v.toFixed(1) + '/s';
    return String(Math.round(v * 100) / 100);
  }
  function valueAt(line, t) {
    var pts = line.points, best = null, bestD = Infinity;
    for (var i = 0; i < pts.length; i++) {
      if (line.step) { if (pts[i][0] <= t) best = pts[i][1]; else break; continue; }
      var d = Math.abs(pts[i][0] - t);
      if (d < bestD) { bestD = d; best = pts[i][1]; }
    }
    return line.step || bestD <= 1 ? best : null;
  }
  document.querySelectorAll('svg[data-chart]').forEach(function (svg) {
    var data = JSON.parse(svg.getAttribute('data-chart'));
    var tip = svg.parentNode.querySelector('.tip');
    var cursor = svg.querySelector('.cursor');
    svg.addEventListener('mousemove', function (ev) {
      var r = svg.getBoundingClientRect();
      var px = (ev.clientX - r.left) * (data.plot.W / r.width);
      var t = ((px - data.plot.x) / data.plot.w) * data.dur;
      if (t < 0 || t > data.dur) { tip.hidden = true; cursor.setAttribute('visibility', 'hidden'); return; }
      cursor.setAttribute('x1', px); cursor.setAttribute('x2', px); cursor.setAttribute('visibility', 'visible');
      tip.textContent = '';
      var head = document.createElement('b'); head.textContent = 't = ' + t.toFixed(0) + 's'; tip.appendChild(head);
      data.lines.forEach(function (l) {
        var row = document.createElement('div'); var dot = document.createElement('i');
        dot.style.background = l.color; row.appendChild(dot);
        row.appendChild(document.createTextNode(l.name + ': ' + fmt(valueAt(l, t), data.unit))); tip.appendChild(row);
      });
      tip.hidden = false;
      var left = (ev.clientX - r.left) + 14;
      if (left + tip.offsetWidth > r.width) left = (ev.clientX - r.left) - tip.offsetWidth - 14;
      tip.style.left = left + 'px';
    });
    svg.addEventListener('mouseleave', function () { tip.hidden = true; cursor.setAttribute('visibility', 'hidden'); });
  });
})();
