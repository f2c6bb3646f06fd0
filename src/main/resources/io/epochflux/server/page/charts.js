// The live page's run charts (uPlot): loss, accuracy or mae, and the learning rate, for every run
// shown. Smoothing is TensorBoard's debiased exponential moving average with the raw curve faint
// behind; y linear or log; x by epoch or by the epochs' cumulative durations; a drag zooms every
// chart's x range, a double-click or Reset zoom undoes it; the cursor is synchronised and each
// chart's readout lists every shown run's values under it; best epoch, stop and cancel are marked.
(function () {
  "use strict";
  var ef = window.epochflux, el = ef.el, fmt = ef.fmt, num = ef.num, runs = ef.runs, view = ef.view;
  var SPECS = [
    { key: "loss", metrics: ["loss", "val_loss"], label: "loss" },
    { key: "accuracy", metrics: ["accuracy", "val_accuracy"], label: "accuracy" },
    { key: "mae", metrics: ["mae", "val_mae"], label: "mae" },
    { key: "lr", metrics: ["learning_rate"], label: "learning rate", rate: true }
  ];
  var charts = {};      // key -> {plot, sig, meta: [{id, metric, raw}], ids}
  var zoom = null;      // [min, max] of x while zoomed
  var syncKey = "epochflux-runs";

  // TensorBoard's smoothing: an exponential moving average divided by (1 - w^n), so that the
  // first points are not pulled towards 0; a non-finite point is passed on and skipped
  function smooth(values, w) {
    var last = 0, n = 0, out = new Array(values.length);
    for (var i = 0; i < values.length; i++) {
      var v = values[i];
      if (v == null) { out[i] = null; continue; }
      last = last * w + (1 - w) * v;
      n++;
      out[i] = w === 1 ? last : last / (1 - Math.pow(w, n));
    }
    return out;
  }

  function has(r, metric) {
    for (var i = 0; i < r.epochs.length; i++) { if (num(r.epochs[i].values[metric]) != null) { return true; } }
    return false;
  }

  // the x of each of a run's epochs: its number, or the seconds it had trained by its end
  function xs(r) {
    if (view.x !== "time") { return r.epochs.map(function (e) { return e.epoch; }); }
    var t = 0;
    return r.epochs.map(function (e) { t += (e.durationMs || 0) / 1000; return Math.round(t * 1e6) / 1e6; });
  }
  function xAt(r, epoch) {
    if (view.x !== "time") { return epoch; }
    var x = xs(r);
    for (var i = 0; i < r.epochs.length; i++) { if (r.epochs[i].epoch === epoch) { return x[i]; } }
    return null;
  }

  function shown(spec) {
    var ids = ef.selectedIds();
    if (spec.key === "loss") { return { ids: ids, show: true }; }
    var withIt = ids.filter(function (id) { return spec.metrics.some(function (m) { return has(runs[id], m); }); });
    if (spec.key === "accuracy") {
      // the accuracy chart stays, empty, until a regression is all there is
      var regressions = ids.filter(function (id) { return has(runs[id], "mae"); });
      return { ids: withIt, show: withIt.length > 0 || regressions.length === 0 || ids.length === 0 };
    }
    return { ids: withIt, show: withIt.length > 0 };
  }

  function logY(spec) { return spec.rate || view.y === "log"; }

  function data(spec, ids, meta) {
    var tables = [], points = 0, w = view.smooth;
    ids.forEach(function (id) {
      var r = runs[id], x = xs(r), cols = [x];
      spec.metrics.forEach(function (m) {
        var raw = r.epochs.map(function (e) {
          var v = num(e.values[m]);
          return v == null || (logY(spec) && v <= 0) ? null : v;
        });
        raw.forEach(function (v) { if (v != null) { points++; } });
        cols.push(raw);
        if (w > 0 && !spec.rate) { cols.push(smooth(raw, w)); }
      });
      tables.push(cols);
    });
    if (!tables.length) { return { data: [[]].concat(meta.map(function () { return []; })), points: 0 }; }
    var joined = tables.length === 1 ? tables[0] : uPlot.join(tables);
    return { data: joined, points: points };
  }

  function css(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }

  function marks(ids) {
    // each shown run's marks: best epoch, the stop by a rule, a cancel
    var list = [];
    ids.forEach(function (id) {
      var r = runs[id], s = r.summary, stop = r.stop;
      var best = stop && stop.bestEpoch ? stop.bestEpoch : s.best ? s.best.epoch : null;
      if (best) { list.push({ id: id, kind: "best", epoch: best }); }
      if (stop && stop.reason !== "MAX_EPOCHS") { list.push({ id: id, kind: "stop", epoch: stop.epoch }); }
      if (r.outcome && r.outcome.outcome === "cancelled" && r.epochs.length) {
        list.push({ id: id, kind: "cancel", epoch: r.epochs[r.epochs.length - 1].epoch });
      }
    });
    return list;
  }

  function drawMarks(u) {
    var c = u.ctx, dpr = devicePixelRatio, top = u.bbox.top, h = u.bbox.height;
    var chart = null;
    Object.keys(charts).forEach(function (k) { if (charts[k].plot === u) { chart = charts[k]; } });
    if (!chart) { return; }
    marks(chart.ids).forEach(function (m) {
      var r = runs[m.id], x = xAt(r, m.epoch);
      if (x == null) { return; }
      var px = Math.round(u.valToPos(x, "x", true));
      if (px < u.bbox.left - 1 || px > u.bbox.left + u.bbox.width + 1) { return; }
      var color = m.kind === "cancel" ? css("--bad") : r.color;
      c.save();
      c.strokeStyle = color;
      c.fillStyle = color;
      c.lineWidth = 1.5 * dpr;
      c.setLineDash((m.kind === "best" ? [1.5, 3.5] : m.kind === "cancel" ? [8, 3, 2, 3] : []).map(function (v) { return v * dpr; }));
      c.beginPath();
      c.moveTo(px, top);
      c.lineTo(px, top + h);
      c.stroke();
      c.setLineDash([]);
      c.font = (12 * dpr) + "px sans-serif";
      c.textAlign = "center";
      c.textBaseline = "top";
      c.fillText(m.kind === "best" ? "◆" : m.kind === "stop" ? "■" : "✕", px, top + 2 * dpr);
      c.restore();
    });
  }

  function readout(spec, chart, u) {
    var out = document.getElementById(spec.key + "-readout");
    var i = u.cursor.idx;
    if (i == null || !u.data[0].length) { out.textContent = ""; return; }
    var x = u.data[0][i];
    out.innerHTML = "";
    out.appendChild(el("b", {}, (view.x === "time" ? "at " + fmt(x) + " s" : "epoch " + x) + ": "));
    var parts = [];
    chart.ids.forEach(function (id) {
      var vals = [];
      chart.meta.forEach(function (m, k) {
        if (m.id !== id) { return; }
        var v = u.data[k + 1][i];
        if (v == null) { return; }
        if (view.smooth > 0 && !spec.rate) {
          if (!m.raw) { vals.push(m.metric + " " + fmt(v) + " (raw " + fmt(u.data[k][i]) + ")"); }
        } else { vals.push(m.metric + " " + fmt(v)); }
      });
      if (vals.length) { parts.push(runs[id].summary.name + " " + vals.join(", ")); }
    });
    out.appendChild(document.createTextNode(parts.length ? parts.join(" · ") : "no value here"));
  }

  function extent(u) {
    var x = u.data[0];
    return x.length ? [x[0], x[x.length - 1]] : null;
  }

  function applyZoom(except) {
    Object.keys(charts).forEach(function (k) {
      var c = charts[k];
      if (!c.plot || c.plot === except) { return; }
      var range = zoom || extent(c.plot);
      if (range) { c.plot.setScale("x", { min: range[0], max: range[1] }); }
    });
    var reset = document.getElementById("reset-zoom");
    reset.disabled = zoom == null;
    Object.keys(charts).forEach(function (k) {
      var box = document.getElementById(k + "-chart");
      if (zoom) { box.setAttribute("data-zoom", zoom.map(function (v) { return fmt(v); }).join(" to ")); }
      else { box.removeAttribute("data-zoom"); }
    });
  }

  function build(spec) {
    var box = document.getElementById(spec.key + "-chart");
    var figure = document.getElementById(spec.key + "-box");
    var s = shown(spec);
    figure.hidden = !s.show;
    var meta = [];
    s.ids.forEach(function (id) {
      spec.metrics.forEach(function (m) {
        meta.push({ id: id, metric: m, raw: true });
        if (view.smooth > 0 && !spec.rate) { meta.push({ id: id, metric: m, raw: false }); }
      });
    });
    var sig = [s.show, s.ids.join(","), view.smooth > 0, view.y, view.x, ef.theme(), box.clientWidth].join("|");
    var chart = charts[spec.key];
    var d = data(spec, s.ids, meta);
    box.setAttribute("data-points", d.points);
    box.setAttribute("data-series", meta.length);
    box.setAttribute("data-scale", logY(spec) ? "log" : "linear");
    // the axes' titles, drawn on the canvas, for whoever reads the page without seeing it
    box.setAttribute("data-x-label", view.x === "time" ? "seconds of training" : "epoch");
    box.setAttribute("data-y-label", spec.label + (logY(spec) ? " (log)" : ""));
    box.setAttribute("role", "img");
    box.setAttribute("aria-label", spec.label + (logY(spec) ? " (log scale)" : "") + " against "
      + (view.x === "time" ? "seconds of training" : "epoch") + " for " + s.ids.map(function (id) { return runs[id].summary.name; }).join(", "));
    if (!s.show) {
      if (chart && chart.plot) { chart.plot.destroy(); }
      delete charts[spec.key];
      return;
    }
    if (chart && chart.sig === sig) {
      chart.meta = meta;
      chart.plot.setData(d.data, zoom == null);
      if (zoom) { chart.plot.setScale("x", { min: zoom[0], max: zoom[1] }); }
      return;
    }
    if (chart && chart.plot) { chart.plot.destroy(); }
    box.innerHTML = "";
    var fg = css("--fg"), grid = css("--grid");
    var series = [{ label: view.x === "time" ? "seconds" : "epoch" }];
    meta.forEach(function (m) {
      var r = runs[m.id], faint = view.smooth > 0 && m.raw && !spec.rate;
      var validation = m.metric.indexOf("val_") === 0;
      series.push({
        label: r.summary.name + " " + m.metric + (faint ? " (raw)" : ""),
        stroke: faint ? r.color + "44" : r.color,
        width: faint ? 1 : spec.rate ? 2 : 1.8,
        dash: validation ? [6, 4] : undefined,
        spanGaps: true,
        paths: spec.rate && uPlot.paths && uPlot.paths.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined,
        points: { show: false }
      });
    });
    var axis = { stroke: fg, grid: { stroke: grid }, ticks: { stroke: grid } };
    var chartObj = { sig: sig, meta: meta, ids: s.ids };
    var plot = new uPlot({
      width: Math.max(260, box.clientWidth), height: 230, series: series,
      legend: { show: false },
      scales: { x: { time: false }, y: logY(spec) ? { distr: 3, log: 10 } : { auto: true } },
      axes: [Object.assign({ label: box.getAttribute("data-x-label"), labelSize: 18 }, axis),
        Object.assign({ label: box.getAttribute("data-y-label"), labelSize: 18, size: 56 }, axis)],
      cursor: { sync: { key: syncKey, scales: ["x", null] }, drag: { x: true, y: false, setScale: false } },
      hooks: {
        draw: [drawMarks],
        setCursor: [function (u) { readout(spec, chartObj, u); }],
        setSelect: [function (u) {
          if (u.select.width < 3) { return; }
          var min = u.posToVal(u.select.left, "x"), max = u.posToVal(u.select.left + u.select.width, "x");
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          zoom = [min, max];
          u.setScale("x", { min: min, max: max });
          applyZoom(u);
        }]
      }
    }, d.data, box);
    plot.over.addEventListener("dblclick", function () { resetZoom(); });
    chartObj.plot = plot;
    charts[spec.key] = chartObj;
    if (zoom) { plot.setScale("x", { min: zoom[0], max: zoom[1] }); }
  }

  function resetZoom() {
    zoom = null;
    applyZoom(null);
  }

  function legend() {
    var list = document.getElementById("chart-legend");
    list.innerHTML = "";
    var ids = ef.selectedIds();
    var all = marks(ids);
    ids.forEach(function (id) {
      var r = runs[id];
      var li = el("li", { "data-run": id });
      var sw = el("span", { "class": "swatch", "aria-hidden": "true" });
      sw.style.background = r.color;
      li.appendChild(sw);
      var text = r.summary.name;
      var mine = all.filter(function (m) { return m.id === id; });
      mine.forEach(function (m) {
        li.setAttribute("data-" + m.kind, m.epoch);
        text += m.kind === "best" ? " · ◆ best epoch " + m.epoch : m.kind === "stop" ? " · ■ stopped at " + m.epoch
          : " · ✕ cancelled at " + m.epoch;
      });
      li.appendChild(document.createTextNode(text));
      list.appendChild(li);
    });
  }

  function redraw() {
    SPECS.forEach(build);
    legend();
  }

  function setupControls() {
    var slider = document.getElementById("smooth"), out = document.getElementById("smooth-value");
    slider.value = String(view.smooth);
    out.textContent = String(view.smooth);
    slider.addEventListener("input", function () {
      view.smooth = parseFloat(slider.value);
      out.textContent = slider.value;
      ef.saveView();
      redraw();
    });
    document.querySelectorAll("input[name=yscale]").forEach(function (i) {
      i.checked = i.value === view.y;
      i.addEventListener("change", function () { if (i.checked) { view.y = i.value; ef.saveView(); redraw(); } });
    });
    document.querySelectorAll("input[name=xaxis]").forEach(function (i) {
      i.checked = i.value === view.x;
      i.addEventListener("change", function () {
        if (i.checked) { view.x = i.value; zoom = null; applyZoom(null); ef.saveView(); redraw(); }
      });
    });
    document.getElementById("reset-zoom").addEventListener("click", resetZoom);
  }

  var resizePending = false;
  window.addEventListener("resize", function () {
    if (resizePending) { return; }
    resizePending = true;
    requestAnimationFrame(function () { resizePending = false; redraw(); });
  });

  ef.on("runs", redraw);
  ef.on("theme", redraw);
  ef.smooth = smooth;
  setupControls();
  redraw();
})();
