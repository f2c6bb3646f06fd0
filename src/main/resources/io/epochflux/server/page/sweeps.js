// The live page's sweeps: POST /sweeps from the form, GET /sweeps listed, the selected sweep's
// trials' val_loss from its SSE stream in one uPlot chart (pruned trials faded, the best thick),
// and its results table from GET /sweeps/{id}.
(function () {
  "use strict";
  var ef = window.epochflux, api = ef.api, el = ef.el, fmt = ef.fmt, COLORS = ef.colors;
  var selected = null;  // {id, source, trials: name -> {index, epochs: [[epoch, val_loss]], state}, detail}
  var plot = null, plotKey = "", redrawPending = false;

  function alternatives(text, parse) {
    return text.split(",").map(function (s) { return s.trim(); }).filter(function (s) { return s !== ""; }).map(parse);
  }

  function readForm(form) {
    var body = {
      hidden: alternatives(form.hidden.value, function (s) {
        return s.split("x").map(function (w) { return parseInt(w, 10); });
      }),
      lr: alternatives(form.lr.value, parseFloat),
      pruner: form.pruner.value
    };
    ["epochs", "trainSize", "valSize"].forEach(function (n) {
      if (form[n].value !== "") { body[n] = parseInt(form[n].value, 10); }
    });
    return body;
  }

  function setupForm() {
    var form = document.getElementById("sweep-form");
    var error = document.getElementById("sweep-error");
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      error.textContent = "";
      var button = document.getElementById("sweep-button");
      button.disabled = true;
      api("POST", "/sweeps", readForm(form)).then(function (s) {
        select(s.id);
        refresh();
      }).catch(function (e) { error.textContent = e.message; })
        .then(function () { button.disabled = false; });
    });
  }

  // ---------------------------------------------------------------- the list

  function refresh() {
    return api("GET", "/sweeps").then(function (list) { renderList(list.sweeps); }).catch(function () { });
  }

  function renderList(sweeps) {
    var body = document.querySelector("#sweep-list tbody");
    body.innerHTML = "";
    sweeps.slice().reverse().forEach(function (s) {
      var tr = el("tr", { "data-sweep": s.id, "class": selected && selected.id === s.id ? "selected" : "" });
      var name = el("td");
      var link = el("a", { href: "#" }, s.id);
      link.addEventListener("click", function (ev) { ev.preventDefault(); select(s.id); });
      name.appendChild(link);
      tr.appendChild(name);
      tr.appendChild(el("td", { "class": "state" }, s.state));
      tr.appendChild(el("td", { "class": "num" }, s.trialCount + " × " + s.epochs + " epochs"));
      tr.appendChild(el("td", {}, s.pruner));
      tr.appendChild(el("td", { "class": "num" }, s.best ? fmt(s.best.bestValLoss) + " (" + s.best.name + ")" : ""));
      var act = el("td");
      if (s.state === "running") {
        var b = el("button", { "class": "cancel", type: "button" }, "Cancel");
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
    document.getElementById("sweep-title").textContent = "(" + id + ")";
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
      renderResults();
      rebuild();
    }).catch(function () { });
  }

  function bestName() {
    var d = selected && selected.detail;
    return d && d.best ? d.best.name : null;
  }

  function renderResults() {
    var body = document.querySelector("#sweep-results tbody");
    body.innerHTML = "";
    var d = selected.detail, best = bestName();
    d.trials.slice().sort(function (a, b) {
      return (a.bestValLoss == null ? Infinity : a.bestValLoss) - (b.bestValLoss == null ? Infinity : b.bestValLoss);
    }).forEach(function (t) {
      var tr = el("tr", { "data-trial": t.name, "class": (t.name === best ? "best " : "") + t.state });
      tr.appendChild(el("td", {}, t.name));
      tr.appendChild(el("td", {}, t.config));
      tr.appendChild(el("td", { "class": "state" }, t.state));
      tr.appendChild(el("td", { "class": "num" }, String(t.epochs)));
      tr.appendChild(el("td", { "class": "num" }, fmt(t.bestValLoss)));
      tr.appendChild(el("td", { "class": "num" }, t.prunedAtRung == null ? "" : String(t.prunedAtRung)));
      body.appendChild(tr);
    });
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

  // the series' styles (faded, thick) are fixed when a plot is made: remake it when they change
  function rebuild() {
    if (!selected) { return; }
    var best = bestName(), ns = names();
    var key = selected.id + "|" + best + "|" + ns.map(function (n) { return n + ":" + selected.trials[n].state; }).join(",");
    if (plot && key === plotKey) { scheduleRedraw(); return; }
    plotKey = key;
    var box = document.getElementById("sweep-chart");
    if (plot) { plot.destroy(); }
    box.innerHTML = "";
    var series = [{ label: "epoch" }];
    ns.forEach(function (n) {
      var t = selected.trials[n], color = COLORS[t.index % COLORS.length];
      series.push({ label: n, stroke: t.state === "pruned" ? color + "55" : color, width: n === best ? 3.5 : 1.5,
        spanGaps: true, value: function (u, v) { return fmt(v); } });
    });
    var d = chartData();
    plot = new uPlot({ width: Math.max(280, box.clientWidth), height: 260, series: series,
      scales: { x: { time: false } }, axes: [{ label: "epoch" }, { label: "val_loss" }] }, d.data, box);
    box.setAttribute("data-points", d.points);
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
    if (plot) { plot.setSize({ width: Math.max(280, document.getElementById("sweep-chart").clientWidth), height: 260 }); }
  });

  setupForm();
  refresh();
  setInterval(refresh, 2000);
})();
