// The live page's sweeps: POST /sweeps from the form (the command line's notation), GET /sweeps
// listed, and for the selected sweep: a parallel-coordinates view of its trials' settings against
// their best val_loss (brushing filters the trials table), every trial's val_loss from the SSE
// stream in one uPlot chart (pruned trials faded, the best thick, a selected row's trial picked
// out), and the trials table from GET /sweeps/{id}.
(function () {
  "use strict";
  var ef = window.epochflux, api = ef.api, el = ef.el, fmt = ef.fmt, COLORS = ef.colors, view = ef.view;
  var selected = null;  // {id, source, trials: name -> {index, epochs: [[epoch, val_loss]], state}, detail}
  var plot = null, plotKey = "", redrawPending = false;
  var kept = null;      // trial names the brushes keep, null when nothing is brushed
  var linked = null;    // the trial whose row was selected
  var parallel = new ef.ParallelCoordinates(document.getElementById("parallel"), function (names, brushed) {
    kept = brushed ? names : null;
    document.getElementById("clear-brushes").disabled = !brushed;
    renderResults();
  });

  // ---------------------------------------------------------------- the form

  // the command line's --hidden for sweeps: alternatives separated by commas, each a layer stack
  // such as 32-16 (two layers); anything else is refused, never guessed at
  function parseStacks(text) {
    var parts = text.split(",");
    var stacks = [];
    for (var i = 0; i < parts.length; i++) {
      var p = parts[i].trim();
      if (p === "") {
        return { error: "alternative " + (i + 1) + " of " + parts.length + " is empty" };
      }
      if (!/^\d+(-\d+)*$/.test(p)) {
        return { error: JSON.stringify(p) + " is not a layer stack: write widths joined by '-', such as 32-16" };
      }
      var widths = p.split("-").map(function (w) { return parseInt(w, 10); });
      if (widths.some(function (w) { return w < 1; })) { return { error: JSON.stringify(p) + " has a width below 1" }; }
      stacks.push(widths);
    }
    return { value: stacks };
  }

  function parseRates(text) {
    var parts = text.split(","), rates = [];
    for (var i = 0; i < parts.length; i++) {
      var p = parts[i].trim();
      if (p === "") { return { error: "alternative " + (i + 1) + " of " + parts.length + " is empty" }; }
      var v = Number(p);
      if (!/^[0-9.eE+-]+$/.test(p) || !isFinite(v) || !(v > 0)) {
        return { error: JSON.stringify(p) + " is not a learning rate > 0" };
      }
      rates.push(v);
    }
    return { value: rates };
  }

  function readForm(form) {
    var errors = [];
    var hidden = parseStacks(form.hidden.value), lr = parseRates(form.lr.value);
    if (hidden.error) {
      errors.push(["hidden", "Hidden alternatives: " + hidden.error + " (32-16 is two layers; commas separate alternatives)"]);
    }
    if (lr.error) { errors.push(["lr", "Learning rates: " + lr.error + " (commas separate alternatives)"]); }
    var body = { hidden: hidden.value, lr: lr.value, pruner: form.pruner.value };
    [["epochs", 1], ["trainSize", 1], ["valSize", 1]].forEach(function (f) {
      var v = ef.intField(form, f[0], f[1], errors);
      if (v !== undefined) { body[f[0]] = v; }
    });
    return { body: body, errors: errors };
  }

  function setupForm() {
    var form = document.getElementById("sweep-form");
    var error = document.getElementById("sweep-error");
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      error.textContent = "";
      ef.clearErrors(form);
      var read = readForm(form);
      if (read.errors.length) {
        read.errors.forEach(function (e) { ef.fieldError(form, e[0], e[1]); });
        form.elements[read.errors[0][0]].focus();
        return;
      }
      var button = document.getElementById("sweep-button");
      button.disabled = true;
      api("POST", "/sweeps", read.body).then(function (s) {
        select(s.id);
        refresh();
      }).catch(function (e) {
        if (e.field && form.elements[e.field]) { ef.fieldError(form, e.field, e.message); } else { error.textContent = e.message; }
      }).then(function () { button.disabled = false; });
    });
    document.getElementById("clear-brushes").addEventListener("click", function () { parallel.clear(); });
  }

  // ---------------------------------------------------------------- the list

  var first = true;
  function refresh() {
    return api("GET", "/sweeps").then(function (list) {
      renderList(list.sweeps);
      // the sweep named in the URL, once it is listed
      if (first && view.sweep && !selected && list.sweeps.some(function (s) { return s.id === view.sweep; })) {
        select(view.sweep);
      }
      first = false;
    }).catch(function () { });
  }

  function renderList(sweeps) {
    var body = document.querySelector("#sweep-list tbody");
    body.innerHTML = "";
    sweeps.slice().reverse().forEach(function (s) {
      var tr = el("tr", { "data-sweep": s.id, "class": selected && selected.id === s.id ? "selected" : "" });
      var name = el("td", { "data-label": "Sweep" });
      var link = el("a", { href: "?sweep=" + encodeURIComponent(s.id), "aria-label": "show sweep " + s.id }, s.id);
      link.addEventListener("click", function (ev) { ev.preventDefault(); select(s.id); });
      name.appendChild(link);
      tr.appendChild(name);
      tr.appendChild(el("td", { "class": "state", "data-label": "State" }, s.state));
      tr.appendChild(el("td", { "class": "num", "data-label": "Trials" }, s.trialCount + " × " + s.epochs + " epochs"));
      tr.appendChild(el("td", { "data-label": "Pruner" }, s.pruner));
      tr.appendChild(el("td", { "class": "num", "data-label": "Best val_loss" }, s.best ? fmt(s.best.bestValLoss) + " (" + s.best.name + ")" : ""));
      var act = el("td", { "class": "actions" });
      if (s.state === "running") {
        var b = el("button", { "class": "cancel small", type: "button", "aria-label": "cancel sweep " + s.id }, "Cancel");
        b.addEventListener("click", function () {
          b.disabled = true;
          api("DELETE", "/sweeps/" + encodeURIComponent(s.id)).then(refresh)
            .catch(function (e) { alert(e.message); b.disabled = false; });
        });
        act.appendChild(b);
      }
      tr.appendChild(act);
      body.appendChild(tr);
    });
  }

  // ---------------------------------------------------------------- the selected sweep

  function select(id) {
    if (selected && selected.source) { selected.source.close(); }
    selected = { id: id, source: null, trials: {}, detail: null };
    kept = null;
    linked = null;
    parallel.brushes = {};
    document.getElementById("clear-brushes").disabled = true;
    view.sweep = id;
    ef.saveView();
    document.getElementById("sweep-title").textContent = "(" + id + ")";
    document.getElementById("parallel-title").textContent = "(" + id + ")";
    var s = selected;
    var source = new EventSource("/sweeps/" + encodeURIComponent(id) + "/events");
    s.source = source;
    function trial(name) {
      if (!s.trials[name]) {
        s.trials[name] = { index: Object.keys(s.trials).length, epochs: [], state: "training" };
      }
      return s.trials[name];
    }
    source.addEventListener("started", function (ev) { trial(JSON.parse(ev.data).trial); rebuild(); });
    source.addEventListener("epoch", function (ev) {
      var d = JSON.parse(ev.data), t = trial(d.trial), v = d.epoch.values.val_loss;
      t.epochs.push([d.epoch.epoch, typeof v === "number" ? v : null]);
      scheduleRedraw();
    });
    source.addEventListener("pruned", function (ev) { trial(JSON.parse(ev.data).trial).state = "pruned"; details(); });
    source.addEventListener("finished", function (ev) {
      var d = JSON.parse(ev.data);
      trial(d.trial).state = d.prunedAtRung == null ? "finished" : "pruned";
      details();
    });
    // the sweep is over: tell EventSource not to reconnect
    source.addEventListener("end", function () { source.close(); s.source = null; details(); refresh(); });
    details();
    rebuild();
  }

  function details() {
    var s = selected;
    api("GET", "/sweeps/" + encodeURIComponent(s.id)).then(function (d) {
      if (selected !== s) { return; }
      s.detail = d;
      renderParallel();
      renderResults();
      rebuild();
    }).catch(function () { });
  }

  function bestName() {
    var d = selected && selected.detail;
    return d && d.best ? d.best.name : null;
  }

  function colorOf(name) {
    var t = selected && selected.trials[name];
    var i = t ? t.index : selected && selected.detail ? selected.detail.trials.map(function (x) { return x.name; }).indexOf(name) : 0;
    return COLORS[Math.max(0, i) % COLORS.length];
  }

  // the settings the sweep searched (those that differ between trials), and the result
  var AXES = [
    { key: "hidden", label: "hidden", kind: "category", order: function (a, b) {
      var wa = a.split("-").reduce(function (x, y) { return x + Number(y); }, 0), wb = b.split("-").reduce(function (x, y) { return x + Number(y); }, 0);
      return wa - wb || a.localeCompare(b);
    } },
    { key: "activation", label: "activation", kind: "category" },
    { key: "optimizer", label: "optimizer", kind: "category" },
    { key: "lr", label: "learning rate", kind: "log" },
    { key: "momentum", label: "momentum", kind: "number" },
    { key: "batchSize", label: "batch size", kind: "log" },
    { key: "patience", label: "patience", kind: "number" }
  ];

  function renderParallel() {
    var trials = selected.detail.trials, best = bestName();
    var axes = AXES.filter(function (a) {
      var seen = trials.map(function (t) { return String(t.settings ? t.settings[a.key] : ""); });
      return seen.some(function (v) { return v !== seen[0]; });
    }).map(function (a) { return Object.assign({}, a); });
    axes.push({ key: "bestValLoss", label: "best val_loss", kind: "number" });
    var rows = trials.map(function (t) {
      var values = Object.assign({}, t.settings || {});
      values.bestValLoss = t.bestValLoss;
      return { id: t.name, values: values, color: colorOf(t.name), faded: t.state === "pruned", best: t.name === best };
    });
    parallel.set(axes, rows);
    parallel.linked = linked;
    parallel.report();
  }

  function renderResults() {
    var body = document.querySelector("#sweep-results tbody");
    body.innerHTML = "";
    if (!selected || !selected.detail) { return; }
    var d = selected.detail, best = bestName();
    var rows = d.trials.slice().sort(function (a, b) {
      return (a.bestValLoss == null ? Infinity : a.bestValLoss) - (b.bestValLoss == null ? Infinity : b.bestValLoss);
    });
    var shown = rows.filter(function (t) { return kept == null || kept.indexOf(t.name) >= 0; });
    var note = document.getElementById("trials-filtered");
    note.hidden = kept == null;
    note.textContent = "Showing " + shown.length + " of " + rows.length + " trials: those inside the brushed ranges.";
    shown.forEach(function (t) {
      var tr = el("tr", { "data-trial": t.name, tabindex: "0", "aria-selected": String(linked === t.name),
        "class": (t.name === best ? "best " : "") + t.state + (linked === t.name ? " linked" : "") });
      var name = el("td", { "data-label": "Trial" });
      var sw = el("span", { "class": "swatch", "aria-hidden": "true" });
      sw.style.background = colorOf(t.name);
      name.appendChild(sw);
      name.appendChild(document.createTextNode(t.name));
      tr.appendChild(name);
      tr.appendChild(el("td", { "data-label": "Settings" }, t.config));
      tr.appendChild(el("td", { "class": "state", "data-label": "State" }, t.state));
      tr.appendChild(el("td", { "class": "num", "data-label": "Epochs" }, String(t.epochs)));
      tr.appendChild(el("td", { "class": "num", "data-label": "Best val_loss" }, fmt(t.bestValLoss)));
      tr.appendChild(el("td", { "class": "num", "data-label": "Pruned at rung" }, t.prunedAtRung == null ? "" : String(t.prunedAtRung)));
      var pick = function () { link(linked === t.name ? null : t.name); };
      tr.addEventListener("click", pick);
      tr.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); pick(); } });
      body.appendChild(tr);
    });
  }

  // a trial's row and its curve go together: selecting the row picks out the curve and its line
  function link(name) {
    linked = name;
    renderResults();
    parallel.link(name);
    var again = name && document.querySelector("#sweep-results tr[data-trial=\"" + name + "\"]");
    if (again) { again.focus(); }
    focusCurve();
  }

  function focusCurve() {
    var box = document.getElementById("sweep-chart");
    box.setAttribute("data-focus", linked || "");
    if (!plot) { return; }
    var ns = names();
    plot.setSeries(null, { focus: false });
    if (linked && ns.indexOf(linked) >= 0) { plot.setSeries(ns.indexOf(linked) + 1, { focus: true }); }
  }

  // ---------------------------------------------------------------- the chart

  function names() {
    return Object.keys(selected.trials).sort(function (a, b) { return selected.trials[a].index - selected.trials[b].index; });
  }

  function chartData() {
    var ns = names(), max = 0, points = 0;
    ns.forEach(function (n) { selected.trials[n].epochs.forEach(function (p) { max = Math.max(max, p[0]); }); });
    var x = [];
    for (var i = 1; i <= max; i++) { x.push(i); }
    var data = [x];
    ns.forEach(function (n) {
      var ys = new Array(max).fill(null);
      selected.trials[n].epochs.forEach(function (p) { ys[p[0] - 1] = p[1]; if (p[1] != null) { points++; } });
      data.push(ys);
    });
    return { data: data, points: points };
  }

  function css(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }

  // the series' styles (faded, thick) are fixed when a plot is made: remake it when they change
  function rebuild() {
    if (!selected) { return; }
    var best = bestName(), ns = names(), box = document.getElementById("sweep-chart");
    var key = selected.id + "|" + best + "|" + ns.map(function (n) { return n + ":" + selected.trials[n].state; }).join(",")
      + "|" + ef.theme() + "|" + box.clientWidth;
    if (plot && key === plotKey) { scheduleRedraw(); return; }
    plotKey = key;
    if (plot) { plot.destroy(); }
    box.innerHTML = "";
    var series = [{ label: "epoch" }];
    ns.forEach(function (n) {
      var t = selected.trials[n], color = colorOf(n);
      // a trial pruned after one epoch has no line: a dot then, else lines only
      series.push({ label: n, stroke: t.state === "pruned" ? color + "55" : color, width: n === best ? 3.5 : 1.5,
        spanGaps: true, value: function (u, v) { return fmt(v); },
        points: { show: t.epochs.length === 1, size: 6, fill: color } });
    });
    var d = chartData();
    var axis = { stroke: css("--fg"), grid: { stroke: css("--grid") }, ticks: { stroke: css("--grid") } };
    plot = new uPlot({ width: Math.max(260, box.clientWidth), height: 260, series: series, legend: { show: false },
      focus: { alpha: 0.25 }, cursor: { focus: { prox: 8 } },
      scales: { x: { time: false } },
      axes: [Object.assign({ label: "epoch" }, axis), Object.assign({ label: "val_loss", size: 56 }, axis)] }, d.data, box);
    box.setAttribute("data-points", d.points);
    focusCurve();
  }

  function scheduleRedraw() {
    if (redrawPending || !plot) { return; }
    redrawPending = true;
    requestAnimationFrame(function () {
      redrawPending = false;
      if (!selected) { return; }
      if (plot.series.length !== names().length + 1) { rebuild(); return; }
      var d = chartData();
      plot.setData(d.data);
      document.getElementById("sweep-chart").setAttribute("data-points", d.points);
    });
  }

  window.addEventListener("resize", function () {
    if (selected) { rebuild(); if (selected.detail) { renderParallel(); } }
  });
  ef.on("theme", function () { if (selected) { rebuild(); } });

  ef.sweeps = { parseStacks: parseStacks, parseRates: parseRates };
  setupForm();
  parallel.draw();
  refresh();
  setInterval(refresh, 2000);
})();
