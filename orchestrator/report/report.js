// Draws a splitbrain report's charts on one shared, zoomable time axis. Data comes from the
// page's #report-data block (timeline_data.h describes it); text from it is only ever set with
// textContent or setAttribute, never parsed as markup.
(function () {
  'use strict';
  var dataNode = document.getElementById('report-data');
  if (!dataNode) return;
  var D = JSON.parse(dataNode.textContent);
  var T = D.timeline;
  var CX = D.counterexample;
  if (!T) return;
  // The SVG namespace, taken from an inline <svg> the HTML parser created, so that the page
  // holds no URL at all.
  var NS = document.getElementById('svg-ns').namespaceURI;
  var LEFT = 64;
  var RIGHT = 14;
  var AXIS_H = 18;
  var COLORS = ['var(--ok)', 'var(--fail)', 'var(--info)'];
  var KIND = ['ok', 'fail', 'info'];
  var ROLE_COLORS = ['var(--follower)', 'var(--candidate)', 'var(--leader)', 'var(--down)',
    'var(--other)'];
  var ROLES = ['follower', 'candidate', 'leader', 'no answer', 'other'];
  var unit = T.axis.unit;
  var full = {t0: T.axis.t0, t1: T.axis.t1 > T.axis.t0 ? T.axis.t1 : T.axis.t0 + 1};
  var view = {t0: full.t0, t1: full.t1};
  var charts = [];
  var pending = false;

  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    for (var k in attrs) {
      if (Object.prototype.hasOwnProperty.call(attrs, k)) node.setAttribute(k, attrs[k]);
    }
    if (parent) parent.appendChild(node);
    return node;
  }
  function label(parent, x, y, s, cls, anchor) {
    var t = el('text', {x: x, y: y, 'class': cls || '', 'text-anchor': anchor || 'start'}, parent);
    t.textContent = s;
    return t;
  }
  function tip(node, s) {
    el('title', {}, node).textContent = s;
  }
  function fmt(t) {
    if (unit !== 's') return String(Math.round(t));
    var span = view.t1 - view.t0;
    var digits = span < 0.1 ? 4 : span < 2 ? 3 : span < 60 ? 2 : 1;
    return t.toFixed(digits) + ' s';
  }
  function niceStep(span, count) {
    var raw = span / count;
    var p = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      if (steps[i] * p >= raw) return steps[i] * p;
    }
    return 10 * p;
  }
  function endOf(e) {
    return e === null || e < 0 ? full.t1 : e;
  }

  // A chart: a titled SVG under `container` whose x is the shared view.
  function Chart(containerId, titleText, height, draw, legend) {
    var container = document.getElementById(containerId);
    if (!container) return null;
    var heading = document.createElement('h3');
    heading.textContent = titleText;
    container.appendChild(heading);
    if (legend) container.appendChild(legend);
    var svg = el('svg', {height: height + AXIS_H}, container);
    var chart = {container: container, svg: svg, height: height, draw: draw};
    chart.render = function () {
      while (svg.firstChild) svg.removeChild(svg.firstChild);
      var width = Math.max(container.clientWidth, 300);
      svg.setAttribute('width', width);
      svg.setAttribute('viewBox', '0 0 ' + width + ' ' + (chart.height + AXIS_H));
      var plot = width - LEFT - RIGHT;
      var x = function (t) { return LEFT + (t - view.t0) / (view.t1 - view.t0) * plot; };
      x.invert = function (px) { return view.t0 + (px - LEFT) / plot * (view.t1 - view.t0); };
      var clipId = containerId + '-clip';
      var defs = el('defs', {}, svg);
      var clip = el('clipPath', {id: clipId}, defs);
      el('rect', {x: LEFT, y: 0, width: Math.max(plot, 0), height: chart.height}, clip);
      drawGrid(svg, x, chart.height);
      var g = el('g', {'clip-path': 'url(#' + clipId + ')'}, svg);
      chart.draw(g, x, chart.height, svg);
      drawBands(g, x, chart.height);  // over the data, so dense lanes cannot hide a fault
      drawAxis(svg, x, chart.height, width);
      chart.x = x;
    };
    attachZoom(chart);
    charts.push(chart);
    return chart;
  }

  function drawGrid(svg, x, height) {
    var step = niceStep(view.t1 - view.t0, 8);
    for (var t = Math.ceil(view.t0 / step) * step; t <= view.t1; t += step) {
      el('line', {x1: x(t), x2: x(t), y1: 0, y2: height, 'class': 'grid'}, svg);
    }
  }
  function drawAxis(svg, x, height, width) {
    el('line', {x1: LEFT, x2: width - RIGHT, y1: height, y2: height, stroke: '#9aa5b1'}, svg);
    var step = niceStep(view.t1 - view.t0, 8);
    for (var t = Math.ceil(view.t0 / step) * step; t <= view.t1; t += step) {
      el('line', {x1: x(t), x2: x(t), y1: height, y2: height + 4, stroke: '#9aa5b1'}, svg);
      label(svg, x(t), height + 15, fmt(t), 'dim', 'middle');
    }
  }
  function drawBands(g, x, height) {
    T.faults.forEach(function (f) {
      var x0 = x(f.start);
      var x1 = x(f.end === null ? full.t1 : f.end);
      el('rect', {x: x0, y: 0, width: Math.max(x1 - x0, 1), height: height, 'class': 'band'}, g);
    });
  }
  // Node targets are n<i>; a candidate fault's are lease candidates, c<j>.
  function targetText(f) {
    var prefix = /-candidate$/.test(f.name) ? 'c' : 'n';
    return (f.targets || []).map(function (n) { return prefix + n; }).join(',');
  }
  function faultName(f) {
    var targets = targetText(f);
    return f.name + (targets ? ' ' + targets : '') + (f.shape ? ' [' + f.shape + ']' : '') +
      ' (' + fmt(f.start) + ' \u2013 ' +
      (f.end === null ? 'never healed' : fmt(f.end)) + ')';
  }

  function zoomTo(t0, t1) {
    var span = Math.max(t1 - t0, (full.t1 - full.t0) / 1e6, unit === 's' ? 1e-4 : 1);
    var pad = (full.t1 - full.t0) * 0.05;
    t0 = Math.max(t0, full.t0 - pad);
    t1 = Math.min(t0 + span, full.t1 + pad);
    view.t0 = Math.min(t0, t1 - span);
    view.t1 = t1;
    schedule();
  }
  function schedule() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      renderAll();
    });
  }
  function attachZoom(chart) {
    var svg = chart.svg;
    svg.addEventListener('wheel', function (ev) {
      if (!chart.x) return;
      ev.preventDefault();
      var rect = svg.getBoundingClientRect();
      var at = chart.x.invert(ev.clientX - rect.left);
      var factor = Math.exp(ev.deltaY * 0.0015);
      zoomTo(at - (at - view.t0) * factor, at + (view.t1 - at) * factor);
    }, {passive: false});
    var drag = null;
    svg.addEventListener('mousedown', function (ev) {
      if (!chart.x) return;
      drag = {px: ev.clientX, t0: view.t0, t1: view.t1};
      svg.classList.add('dragging');
    });
    window.addEventListener('mousemove', function (ev) {
      if (!drag || !chart.x) return;
      var dt = chart.x.invert(ev.clientX) - chart.x.invert(drag.px);
      zoomTo(drag.t0 - dt, drag.t1 - dt);
    });
    window.addEventListener('mouseup', function () {
      drag = null;
      svg.classList.remove('dragging');
    });
    svg.addEventListener('dblclick', function () { zoomTo(full.t0, full.t1); });
  }

  // Faults stacked in rows so overlapping ones stay readable, then one row per node.
  function faultRows() {
    var rows = [];
    var placed = T.faults.map(function (f) {
      var end = f.end === null ? full.t1 : f.end;
      for (var r = 0; r < rows.length; r++) {
        if (rows[r] <= f.start) break;
      }
      rows[r] = end;
      return {f: f, row: r, end: end};
    });
    return {rows: rows.length, placed: placed};
  }
  var FAULT_ROW = 16;
  var NODE_ROW = 20;

  function drawLeaders(g, x, height, svg) {
    var fr = faultRows();
    fr.placed.forEach(function (p) {
      var y = p.row * FAULT_ROW + 1;
      var bar = el('rect', {x: x(p.f.start), y: y, width: Math.max(x(p.end) - x(p.f.start), 2),
        height: FAULT_ROW - 3, rx: 2, 'class': 'fault-bar'}, g);
      tip(bar, faultName(p.f) + ' \u2014 click to zoom');
      bar.addEventListener('click', function () {
        var d = p.end - p.f.start;
        zoomTo(p.f.start - d * 0.3, p.end + d * 0.6);
      });
      label(g, Math.max(x(p.f.start), LEFT) + 3, y + 10, p.f.name + ' ' +
        targetText(p.f), 'fault-label');
    });
    if (fr.rows > 0) label(svg, 4, FAULT_ROW - 4, 'faults', 'dim');
    var top = fr.rows * FAULT_ROW + 4;
    T.nodes.forEach(function (node, i) {
      var y = top + i * NODE_ROW;
      label(svg, 4, y + 13, 'n' + node.node, '');
      node.seg.forEach(function (s) {
        if (s[1] < view.t0 || s[0] > view.t1) return;
        var x0 = x(s[0]);
        var w = Math.max(x(s[1]) - x0, 1);
        var r = el('rect', {x: x0, y: y + 2, width: w, height: NODE_ROW - 5,
          fill: ROLE_COLORS[s[2]]}, g);
        tip(r, 'n' + node.node + ' ' + ROLES[s[2]] + (s[3] ? ' term ' + s[3] : '') + ', ' +
          fmt(s[0]) + ' \u2013 ' + fmt(s[1]));
        if (s[2] === 2 && w > 28) {
          label(g, x0 + 4, y + 13, 'T' + s[3], '').setAttribute('fill', '#fff');
        }
      });
    });
  }
  function leadersHeight() {
    return faultRows().rows * FAULT_ROW + 4 + Math.max(T.nodes.length, 1) * NODE_ROW;
  }

  // The election workload's lease tenures, one row per candidate; overlapping ones in red.
  function tenureRows() {
    var rows = [];
    (T.tenures || []).forEach(function (t) {
      if (rows.indexOf(t.candidate) < 0) rows.push(t.candidate);
    });
    return rows.sort(function (a, b) { return a - b; });
  }
  function drawTenures(g, x, height, svg) {
    var rows = tenureRows();
    rows.forEach(function (c, i) { label(svg, 4, i * NODE_ROW + 13, 'c' + c, ''); });
    T.tenures.forEach(function (t) {
      if (t.end < view.t0 || t.start > view.t1) return;
      var y = rows.indexOf(t.candidate) * NODE_ROW;
      var r = el('rect', {x: x(t.start), y: y + 2, width: Math.max(x(t.end) - x(t.start), 1),
        height: NODE_ROW - 5, fill: t.overlap ? 'var(--fail)' : ROLE_COLORS[2]}, g);
      tip(r, 'candidate ' + t.candidate + (t.token !== null ? ' token ' + t.token : '') +
        ' believed it held the lease ' + fmt(t.start) + ' \u2013 ' + fmt(t.end) +
        (t.overlap ? ' (overlaps another candidate\'s tenure)' : ''));
    });
  }

  var laneH = Math.max(4, Math.min(16, Math.floor(480 / Math.max(T.lanes.length, 1))));
  var DETAIL_LIMIT = 4000;
  function drawOps(g, x, height, svg) {
    if (laneH >= 9) {
      T.lanes.forEach(function (name, i) {
        label(svg, LEFT - 6, i * laneH + laneH - 2, 'p' + name, 'dim', 'end');
      });
    } else {
      label(svg, 4, 12, T.lanes.length + ' lanes', 'dim');
    }
    if (T.ops.mode === 'binned') {
      drawCells(g, x, T.ops.cells, T.ops.width);
      return;
    }
    var visible = T.ops.list.filter(function (o) {
      return o[1] <= view.t1 && endOf(o[2]) >= view.t0;
    });
    if (visible.length > DETAIL_LIMIT) {
      // Too many to draw one by one: count them per lane in 3-pixel columns.
      var width = (view.t1 - view.t0) / Math.max((x(view.t1) - x(view.t0)) / 3, 1);
      var cells = {};
      visible.forEach(function (o) {
        var key = o[0] + ':' + Math.floor(o[1] / width);
        var c = cells[key] || (cells[key] = [o[0], Math.floor(o[1] / width), 0, 0, 0]);
        c[2 + o[3]]++;
      });
      drawCells(g, x, Object.keys(cells).map(function (k) { return cells[k]; }), width);
      return;
    }
    visible.forEach(function (o) {
      var x0 = x(o[1]);
      var r = el('rect', {x: x0, y: o[0] * laneH + 1, width: Math.max(x(endOf(o[2])) - x0, 1.5),
        height: Math.max(laneH - 2, 2), fill: COLORS[o[3]],
        'fill-opacity': o[2] < 0 ? 0.45 : 0.9}, g);
      tip(r, 'process ' + T.lanes[o[0]] + ': ' + T.fs[o[4]] + ' ' + o[5] + ' \u2014 ' +
        KIND[o[3]] + (o[2] < 0 ? ' (never completed)' : '') + ', ' + fmt(o[1]) +
        (o[2] >= 0 && unit === 's' ? ', ' + ((o[2] - o[1]) * 1000).toFixed(1) + ' ms' : ''));
    });
  }
  function drawCells(g, x, cells, width) {
    cells.forEach(function (c) {
      var t0 = c[1] * width;
      if (t0 > view.t1 || t0 + width < view.t0) return;
      var kind = c[3] > 0 ? 1 : c[4] > 0 ? 2 : 0;
      var r = el('rect', {x: x(t0), y: c[0] * laneH + 1, width: Math.max(x(t0 + width) - x(t0), 1),
        height: Math.max(laneH - 2, 2), fill: COLORS[kind]}, g);
      tip(r, 'process ' + T.lanes[c[0]] + ', ' + fmt(t0) + ': ' + c[2] + ' ok, ' + c[3] +
        ' fail, ' + c[4] + ' info');
    });
  }

  var LAT_H = 200;
  function drawLatency(g, x, height, svg) {
    var L = T.latency;
    var max = 1;
    var min = Infinity;
    L.points.forEach(function (p) {
      if (p[1] > max) max = p[1];
      if (p[1] > 0 && p[1] < min) min = p[1];
    });
    var lo = Math.pow(10, Math.floor(Math.log10(Math.min(min === Infinity ? 1 : min, 1))));
    var hi = Math.pow(10, Math.ceil(Math.log10(max)));
    var y = function (ms) {
      var v = Math.log10(Math.max(ms, lo));
      return height - 4 - (v - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) * (height - 10);
    };
    for (var d = lo; d <= hi; d *= 10) {
      el('line', {x1: LEFT, x2: x(view.t1), y1: y(d), y2: y(d), 'class': 'grid'}, svg);
      label(svg, LEFT - 6, y(d) + 4, d >= 1000 ? d / 1000 + ' s' : d + ' ms', 'dim', 'end');
    }
    L.points.forEach(function (p) {
      if (p[0] < view.t0 || p[0] > view.t1) return;
      el('rect', {x: x(p[0]) - 1, y: y(p[1]) - 1, width: 2.5, height: 2.5, fill: COLORS[p[2]],
        'fill-opacity': 0.55}, g);
    });
    // One polyline per run of adjacent bins: a bin without ok operations breaks the line, so
    // an outage is not drawn as a slope.
    [[1, '#1d2733'], [2, '#7a4fd1'], [3, '#d43c3c']].forEach(function (q) {
      var pts = [];
      var flush = function () {
        if (pts.length > 0) {
          el('polyline', {points: pts.join(' '), fill: 'none', stroke: q[1],
            'stroke-width': 1.5}, g);
        }
        pts = [];
      };
      L.quantiles.forEach(function (b, i) {
        if (i > 0 && b[0] - L.quantiles[i - 1][0] > L.width * 1.5) flush();
        pts.push(x(b[0]) + ',' + y(b[q[0]]));
      });
      flush();
    });
  }

  var TP_H = 120;
  function drawThroughput(g, x, height, svg) {
    var P = T.throughput;
    var scale = unit === 's' ? 1 / P.width : 1;
    var max = 1;
    P.bins.forEach(function (b) {
      var total = (b[1] + b[2] + b[3]) * scale;
      if (total > max) max = total;
    });
    var y = function (v) { return height - v / max * (height - 8); };
    var step = niceStep(max, 3);
    for (var v = 0; v <= max; v += step) {
      el('line', {x1: LEFT, x2: x(view.t1), y1: y(v), y2: y(v), 'class': 'grid'}, svg);
      label(svg, LEFT - 6, y(v) + 4, step < 1 ? v.toFixed(1) : String(Math.round(v)), 'dim',
        'end');
    }
    P.bins.forEach(function (b) {
      if (b[0] > view.t1 || b[0] + P.width < view.t0) return;
      var x0 = x(b[0]);
      var w = Math.max(x(b[0] + P.width) - x0 - 0.5, 0.8);
      var base = 0;
      [1, 2, 3].forEach(function (k) {
        if (!b[k]) return;
        var h = b[k] * scale;
        var r = el('rect', {x: x0, y: y(base + h), width: w, height: y(base) - y(base + h),
          fill: COLORS[k - 1]}, g);
        tip(r, fmt(b[0]) + ': ' + b[k] + ' ' + KIND[k - 1]);
        base += h;
      });
    });
  }

  // The counterexample on the shared axis: one lane per process.
  var cxLanes = [];
  if (CX) {
    CX.ops.forEach(function (o) {
      if (cxLanes.indexOf(o.p) < 0) cxLanes.push(o.p);
    });
    cxLanes.sort(function (a, b) { return a - b; });
  }
  var CX_ROW = 24;
  function drawCounterexample(g, x, height, svg) {
    cxLanes.forEach(function (p, i) {
      label(svg, LEFT - 6, i * CX_ROW + 16, 'p' + p, 'dim', 'end');
    });
    var path = [];
    CX.ops.forEach(function (o) {
      if (o.s === null) return;
      var lane = cxLanes.indexOf(o.p);
      var y = lane * CX_ROW + 3;
      var x0 = x(o.s);
      var x1 = x(o.e === null ? full.t1 : o.e);
      var color = o.role === 'failed' ? 'var(--fail)' : o.role === 'lin' ? 'var(--ok)' : '#9aa5b1';
      var r = el('rect', {x: x0, y: y, width: Math.max(x1 - x0, 2), height: CX_ROW - 8, rx: 3,
        fill: color, 'fill-opacity': o.role === 'failed' ? 0.9 : 0.35, stroke: color}, g);
      tip(r, o.d + ' (process ' + o.p + ')' + (o.order ? ' \u2014 linearized #' + o.order : '') +
        (o.state ? ', state after: ' + o.state : '') +
        (o.role === 'failed' ? ' \u2014 cannot be placed' : ''));
      var text = (o.order ? o.order + '. ' : '') + o.d;
      // A label only where it fits its bar: zoomed out, labels of overlapping operations
      // would print over each other (the tooltip still tells each one).
      if (x1 - Math.max(x0, LEFT) > text.length * 6.5 + 6) {
        label(g, Math.max(x0, LEFT) + 3, y + 12, text, o.role === 'failed' ? 'fault-label' : '');
      }
      if (o.role === 'lin') path.push({order: o.order, s: o.s, e: o.e, y: y + (CX_ROW - 8) / 2});
    });
    var w = cxWindow();
    if (w && x(w[1]) - x(w[0]) < 60) {
      label(svg, LEFT + 8, height - 6, 'zoomed out: press \u201cshow this window on the ' +
        'timeline\u201d to see these operations', 'fault-label');
    }
    // A possible linearization point for each operation, in order: never before its
    // invocation or the previous point, never after its completion.
    path.sort(function (a, b) { return a.order - b.order; });
    var at = -Infinity;
    path.forEach(function (p) {
      at = Math.max(at, p.s);
      if (p.e !== null) at = Math.min(at, p.e);
      p.x = x(at);
      el('circle', {cx: p.x, cy: p.y, r: 3, fill: 'var(--ok)'}, g);
    });
    if (path.length > 1) {
      el('polyline', {points: path.map(function (p) { return p.x + ',' + p.y; }).join(' '),
        fill: 'none', stroke: 'var(--ok)', 'stroke-width': 1, 'stroke-dasharray': '3 2'}, g);
    }
  }
  function cxWindow() {
    var t0 = Infinity;
    var t1 = -Infinity;
    CX.ops.forEach(function (o) {
      if (o.s === null) return;
      t0 = Math.min(t0, o.s);
      t1 = Math.max(t1, o.e === null ? o.s : o.e);
    });
    return t0 < t1 ? [t0, t1] : null;
  }
  function showCounterexample() {
    var w = CX && cxWindow();
    if (!w) return;
    var d = w[1] - w[0];
    zoomTo(w[0] - d * 0.05, w[1] + d * 0.05);
  }

  function legend(items) {
    var div = document.createElement('div');
    div.className = 'legend';
    items.forEach(function (it) {
      var sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = it[0];
      div.appendChild(sw);
      div.appendChild(document.createTextNode(it[1]));
    });
    return div;
  }

  function renderAll() {
    charts.forEach(function (c) { c.render(); });
    var readout = document.getElementById('range');
    if (readout) {
      readout.textContent = 'showing ' + fmt(view.t0) + ' \u2013 ' + fmt(view.t1) + ' of ' +
        fmt(full.t1) + ' (wheel: zoom, drag: pan, double-click: reset)';
    }
  }

  function build() {
    Chart('leaders', 'leader and term of each node (from status samples)', leadersHeight(),
      drawLeaders, legend([[ROLE_COLORS[2], 'leader (T = term)'], [ROLE_COLORS[1], 'candidate'],
        [ROLE_COLORS[0], 'follower'], [ROLE_COLORS[3], 'no answer'],
        ['rgba(214,60,60,0.35)', 'fault']]));
    if ((T.tenures || []).length > 0) {
      Chart('tenures', 'lease tenures of each candidate (red: two candidates at once)',
        tenureRows().length * NODE_ROW, drawTenures,
        legend([[ROLE_COLORS[2], 'held the lease'], ['var(--fail)', 'overlapping tenure']]));
    }
    Chart('ops', 'operations per client process (' + T.counts.ok + ' ok, ' + T.counts.fail +
      ' fail, ' + T.counts.info + ' info)', Math.max(T.lanes.length, 1) * laneH, drawOps,
      legend([[COLORS[0], 'ok'], [COLORS[1], 'fail'], [COLORS[2], 'info / unknown']]));
    if (T.latency) {
      Chart('latency', 'latency by invocation time (log scale)', LAT_H, drawLatency,
        legend([['#1d2733', 'p50'], ['#7a4fd1', 'p90'], ['#d43c3c', 'p99'], [COLORS[0], 'ok'],
          [COLORS[1], 'fail']]));
    } else {
      var lat = document.getElementById('latency');
      if (lat) lat.textContent = 'no latency: the history has no timestamps';
    }
    Chart('throughput', unit === 's' ? 'throughput (completions per second)' :
      'completions per ' + T.throughput.width + ' events', TP_H, drawThroughput,
    legend([[COLORS[0], 'ok'], [COLORS[1], 'fail'], [COLORS[2], 'info']]));
    if (CX) {
      Chart('cx-chart', 'operations ' + (CX.key === 'null' ? '' : 'of key ' + CX.key + ' ') +
        'around the failure (dots and dashes: the longest linearization found)',
        Math.max(cxLanes.length, 1) * CX_ROW, drawCounterexample, null);
    }
    bindButtons();
    renderAll();
    if (window.location.hash === '#counterexample') showCounterexample();
  }
  function bindButtons() {
    var on = function (id, fn) {
      var b = document.getElementById(id);
      if (b) b.addEventListener('click', fn);
    };
    var center = function (factor) {
      var mid = (view.t0 + view.t1) / 2;
      var half = (view.t1 - view.t0) / 2 * factor;
      zoomTo(mid - half, mid + half);
    };
    on('zoom-in', function () { center(0.5); });
    on('zoom-out', function () { center(2); });
    on('zoom-reset', function () { zoomTo(full.t0, full.t1); });
    on('cx-zoom', function () {
      showCounterexample();
      var timeline = document.getElementById('timeline');
      if (timeline) timeline.scrollIntoView();
    });
    on('zoom-cx', showCounterexample);
    window.addEventListener('hashchange', function () {
      if (window.location.hash === '#counterexample') showCounterexample();
    });
    window.addEventListener('resize', schedule);
  }

  build();
})();
