// The live page: runs from GET /runs, epochs from each selected run's SSE stream, charts with uPlot.
(function () {
  "use strict";
  var COLORS = ["#2f6fde", "#e67e22", "#27ae60", "#8e44ad", "#c0392b", "#16a085", "#d35400", "#2c3e50"];
  var TOKEN_KEY = "epochflux.token";
  var runs = {};        // id -> {summary, epochs: [], stop, outcome, source, selected, color}
  var charts = {};      // "loss" / "accuracy" -> {plot, key}
  var redrawPending = false;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text != null) { e.textContent = text; }
    return e;
  }

  // fetch with the bearer token when the server asks for one (401): asked once, kept for the tab
  function api(method, path, body, retried) {
    var headers = {};
    var token = sessionStorage.getItem(TOKEN_KEY);
    if (token) { headers["Authorization"] = "Bearer " + token; }
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (res) {
        if (res.status === 401 && !retried) {
          var t = window.prompt("This server needs its bearer token to start or cancel runs:");
          if (t) {
            sessionStorage.setItem(TOKEN_KEY, t.trim());
            return api(method, path, body, true);
          }
        }
        return res.text().then(function (text) {
          var json = null;
          try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
          if (!res.ok) { throw new Error(json && json.error ? json.error : res.status + " " + res.statusText); }
          return json;
        });
      });
  }

  function num(v) { return typeof v === "number" ? v : (v === "NaN" || v === "Infinity" || v === "-Infinity") ? null : null; }
  function fmt(v) { return typeof v === "number" ? v.toFixed(4) : v == null ? "" : String(v); }

  // ---------------------------------------------------------------- the form

  function readForm(form) {
    var body = {};
    var ints = ["epochs", "batchSize", "trainSize", "valSize", "patience", "seed"];
    ints.forEach(function (n) { if (form[n].value !== "") { body[n] = parseInt(form[n].value, 10); } });
    if (form.lr.value !== "") { body.lr = parseFloat(form.lr.value); }
    body.hidden = form.hidden.value.split(",").map(function (s) { return s.trim(); })
      .filter(function (s) { return s !== ""; }).map(function (s) { return parseInt(s, 10); });
    ["activation", "optimizer", "monitor", "data"].forEach(function (n) { body[n] = form[n].value; });
    body.restoreBestWeights = form.restoreBestWeights.checked;
    if (form.noEarlyStopping.checked) {
      body.noEarlyStopping = true;
      delete body.patience; delete body.monitor; delete body.restoreBestWeights;
    }
    return body;
  }

  function setupForm() {
    var form = document.getElementById("run-form");
    var error = document.getElementById("form-error");
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      error.textContent = "";
      var button = document.getElementById("start-button");
      button.disabled = true;
      api("POST", "/runs", readForm(form)).then(function (run) {
        track(run, true);
        refresh();
      }).catch(function (e) { error.textContent = e.message; })
        .then(function () { button.disabled = false; });
    });
    api("GET", "/server").then(function (info) {
      var data = form.data;
      data.innerHTML = "";
      info.data.forEach(function (n) { data.appendChild(el("option", {}, n)); });
      document.getElementById("server-info").textContent = "at most " + info.limits.maxConcurrentRuns
        + " runs at once, " + info.limits.maxEpochs + " epochs each" + (info.tokenRequired ? "; a token starts and cancels runs" : "");
    }).catch(function () { /* the page still works without the server's description */ });
  }

  // ---------------------------------------------------------------- runs and streams

  function track(summary, select) {
    var r = runs[summary.id];
    if (!r) {
      r = runs[summary.id] = { epochs: [], stop: null, outcome: null, source: null, selected: false,
        color: COLORS[(parseInt(summary.id, 10) - 1) % COLORS.length] };
    }
    r.summary = summary;
    if (select && !r.selected) { setSelected(summary.id, true); }
    return r;
  }

  function setSelected(id, on) {
    var r = runs[id];
    r.selected = on;
    if (on && !r.source && !r.outcome) { follow(id); }
    if (on && r.outcome && r.epochs.length === 0) { follow(id); }
    rebuildCharts();
    renderTable();
    renderReports();
  }

  function follow(id) {
    var r = runs[id];
    var last = r.epochs.length ? r.epochs[r.epochs.length - 1].epoch : 0;
    var source = new EventSource("/runs/" + encodeURIComponent(id) + "/epochs" + (last ? "?lastEventId=" + last : ""));
    r.source = source;
    source.addEventListener("epoch", function (ev) {
      var m = JSON.parse(ev.data);
      var prev = r.epochs.length ? r.epochs[r.epochs.length - 1].epoch : 0;
      if (m.epoch > prev) { r.epochs.push(m); scheduleRedraw(); }
    });
    source.addEventListener("stop", function (ev) {
      r.outcome = JSON.parse(ev.data);
      r.stop = r.outcome.report;
      renderReports();
      scheduleRedraw();
    });
    // the run is over: tell EventSource not to reconnect
    source.addEventListener("end", function () { source.close(); r.source = null; refresh(); });
    // fell behind: EventSource reconnects by itself with Last-Event-ID, after the server's retry
    source.addEventListener("dropped", function () { });
  }

  function refresh() {
    return api("GET", "/runs").then(function (list) {
      list.runs.forEach(function (s) { track(s, false); });
      renderTable();
    }).catch(function () { });
  }

  function renderTable() {
    var body = document.querySelector("#runs tbody");
    body.innerHTML = "";
    var ids = Object.keys(runs).sort(function (a, b) { return b - a; });
    document.getElementById("no-runs").style.display = ids.length ? "none" : "";
    ids.forEach(function (id) {
      var r = runs[id], s = r.summary;
      var tr = el("tr", { "data-run": id });
      var show = el("input", { type: "checkbox", "aria-label": "show run " + id });
      show.checked = r.selected;
      show.addEventListener("change", function () { setSelected(id, show.checked); });
      var td = el("td"); td.appendChild(show); tr.appendChild(td);
      var name = el("td"); var sw = el("span", { "class": "swatch" }); sw.style.background = r.color;
      name.appendChild(sw); name.appendChild(document.createTextNode(s.name)); tr.appendChild(name);
      tr.appendChild(el("td", { "class": "state" }, s.state));
      tr.appendChild(el("td", { "class": "num" }, s.epoch + " / " + s.epochs));
      tr.appendChild(el("td", { "class": "num" }, s.best ? fmt(s.best.value) + " @" + s.best.epoch : ""));
      tr.appendChild(el("td", {}, s.outcome || ""));
      var act = el("td");
      if (!s.outcome) {
        var b = el("button", { "class": "cancel", type: "button" }, "Cancel");
        b.addEventListener("click", function () {
          b.disabled = true;
          api("DELETE", "/runs/" + encodeURIComponent(id)).then(refresh).catch(function (e) { alert(e.message); b.disabled = false; });
        });
        act.appendChild(b);
      }
      tr.appendChild(act);
      body.appendChild(tr);
    });
  }

  function renderReports() {
    var box = document.getElementById("reports");
    box.innerHTML = "";
    Object.keys(runs).forEach(function (id) {
      var r = runs[id];
      if (!r.selected || !r.outcome) { return; }
      var div = el("div", { "class": "report stop-report " + r.outcome.outcome, "data-run": id });
      div.appendChild(el("strong", {}, r.summary.name + ": " + r.outcome.outcome + " after " + r.outcome.epochs + " epochs"));
      var rep = r.outcome.report;
      if (rep) {
        div.appendChild(el("div", {}, rep.message));
        var facts = "reason " + rep.reason + ", epoch " + rep.epoch;
        if (rep.bestEpoch) { facts += ", best epoch " + rep.bestEpoch + " (" + fmt(rep.bestValue) + ")"; }
        if (rep.restoredFromEpoch) { facts += ", weights of epoch " + rep.restoredFromEpoch + " restored"; }
        div.appendChild(el("div", { "class": "muted" }, facts));
      } else if (r.outcome.error) {
        div.appendChild(el("div", {}, r.outcome.error));
      }
      box.appendChild(div);
    });
    if (!box.children.length) { box.appendChild(el("p", { "class": "muted" }, "A run's stop report appears here when it ends.")); }
  }

  // ---------------------------------------------------------------- charts

  function selectedIds() {
    return Object.keys(runs).filter(function (id) { return runs[id].selected; }).sort(function (a, b) { return a - b; });
  }

  function chartData(metrics) {
    var ids = selectedIds();
    var max = 0;
    ids.forEach(function (id) { var e = runs[id].epochs; if (e.length) { max = Math.max(max, e[e.length - 1].epoch); } });
    var x = [];
    for (var i = 1; i <= max; i++) { x.push(i); }
    var data = [x], points = 0;
    ids.forEach(function (id) {
      metrics.forEach(function (m) {
        var ys = new Array(max).fill(null);
        runs[id].epochs.forEach(function (e) { ys[e.epoch - 1] = num(e.values[m]); if (ys[e.epoch - 1] != null) { points++; } });
        data.push(ys);
      });
    });
    return { data: data, points: points };
  }

  function markers(u) {
    // best epoch dashed, stop solid, in each run's colour
    var ctx = u.ctx;
    selectedIds().forEach(function (id) {
      var r = runs[id];
      if (!r.stop) { return; }
      [[r.stop.bestEpoch, [6, 4]], [r.stop.epoch, []]].forEach(function (mark) {
        if (!mark[0]) { return; }
        var x = Math.round(u.valToPos(mark[0], "x", true));
        ctx.save();
        ctx.strokeStyle = r.color;
        ctx.lineWidth = 1.5 * devicePixelRatio;
        ctx.setLineDash(mark[1].map(function (v) { return v * devicePixelRatio; }));
        ctx.beginPath();
        ctx.moveTo(x, u.bbox.top);
        ctx.lineTo(x, u.bbox.top + u.bbox.height);
        ctx.stroke();
        ctx.restore();
      });
    });
  }

  function makeChart(key, metrics) {
    var box = document.getElementById(key + "-chart");
    if (charts[key]) { charts[key].plot.destroy(); }
    box.innerHTML = "";
    var series = [{ label: "epoch" }];
    selectedIds().forEach(function (id) {
      metrics.forEach(function (m, i) {
        series.push({ label: runs[id].summary.name + " " + m, stroke: runs[id].color, width: 1.5,
          dash: i === 1 ? [5, 3] : undefined, spanGaps: true, value: function (u, v) { return fmt(v); } });
      });
    });
    var d = chartData(metrics);
    var plot = new uPlot({
      width: Math.max(280, box.clientWidth), height: 240, series: series,
      scales: { x: { time: false } }, axes: [{ label: "epoch" }, {}],
      hooks: { draw: [markers] }
    }, d.data, box);
    charts[key] = { plot: plot, metrics: metrics };
    box.setAttribute("data-points", d.points);
  }

  function rebuildCharts() {
    makeChart("loss", ["loss", "val_loss"]);
    makeChart("accuracy", ["accuracy", "val_accuracy"]);
  }

  function scheduleRedraw() {
    if (redrawPending) { return; }
    redrawPending = true;
    requestAnimationFrame(function () {
      redrawPending = false;
      Object.keys(charts).forEach(function (key) {
        var c = charts[key], d = chartData(c.metrics);
        c.plot.setData(d.data);
        document.getElementById(key + "-chart").setAttribute("data-points", d.points);
      });
    });
  }

  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (key) {
      var box = document.getElementById(key + "-chart");
      charts[key].plot.setSize({ width: Math.max(280, box.clientWidth), height: 240 });
    });
  });

  window.epochflux = { api: api, el: el, fmt: fmt, colors: COLORS };
  setupForm();
  rebuildCharts();
  refresh();
  setInterval(refresh, 1000);
})();
