// The live page: runs from GET /runs, epochs from each shown run's SSE stream, the runs table, the
// run form, the theme and the view kept in the URL. charts.js draws the charts, sweeps.js the sweeps.
(function () {
  "use strict";
  var COLORS = ["#2f6fde", "#e67e22", "#27ae60", "#8e44ad", "#c0392b", "#16a085", "#d35400", "#7f8c8d"];
  var TOKEN_KEY = "epochflux.token";
  var runs = {};        // id -> {summary, epochs: [], stop, outcome, source, selected, color}
  var listeners = { runs: [], theme: [], view: [] };
  var query = new URLSearchParams(location.search);

  // ---------------------------------------------------------------- the view, kept in the URL

  function listParam(name) {
    var v = query.get(name);
    return v == null ? null : v.split(",").filter(function (s) { return s !== ""; });
  }
  function numParam(name, min, max, dflt) {
    var v = parseFloat(query.get(name));
    return isFinite(v) && v >= min && v <= max ? v : dflt;
  }
  // the runs the URL asks to show, each taken when the server lists it; null: none asked for
  var wanted = listParam("runs");
  var view = {
    smooth: numParam("smooth", 0, 0.99, 0),
    y: query.get("y") === "log" ? "log" : "linear",
    x: query.get("x") === "time" ? "time" : "epoch",
    theme: query.get("theme") === "dark" || query.get("theme") === "light" ? query.get("theme") : null,
    filter: query.get("filter") || "",
    sort: query.get("sort") || "id",
    order: query.get("order") === "asc" ? "asc" : "desc",
    sweep: query.get("sweep") || null
  };

  function saveView() {
    var q = new URLSearchParams();
    var shown = selectedIds().concat(wanted || []);
    if (shown.length || wanted) { q.set("runs", shown.join(",")); }
    if (view.smooth > 0) { q.set("smooth", String(view.smooth)); }
    if (view.y !== "linear") { q.set("y", view.y); }
    if (view.x !== "epoch") { q.set("x", view.x); }
    if (view.theme) { q.set("theme", view.theme); }
    if (view.filter) { q.set("filter", view.filter); }
    if (view.sort !== "id") { q.set("sort", view.sort); }
    if (view.order !== "desc") { q.set("order", view.order); }
    if (view.sweep) { q.set("sweep", view.sweep); }
    var s = q.toString().replace(/%2C/g, ",");
    history.replaceState(null, "", location.pathname + (s ? "?" + s : ""));
  }

  function changed(kind) {
    saveView();
    listeners[kind].forEach(function (f) { f(); });
  }

  // ---------------------------------------------------------------- helpers

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (attrs[k] != null) { e.setAttribute(k, attrs[k]); } });
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
          var t = window.prompt("This server needs its bearer token to start, cancel or forget runs:");
          if (t) {
            sessionStorage.setItem(TOKEN_KEY, t.trim());
            return api(method, path, body, true);
          }
        }
        return res.text().then(function (text) {
          var json = null;
          try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
          if (!res.ok) {
            var err = new Error(json && json.error ? json.error : res.status + " " + res.statusText);
            err.field = json && json.field;
            err.status = res.status;
            throw err;
          }
          return json;
        });
      });
  }

  function num(v) { return typeof v === "number" && isFinite(v) ? v : null; }
  function fmt(v) {
    if (typeof v !== "number") { return v == null ? "" : String(v); }
    var a = Math.abs(v);
    return a >= 1000 ? v.toFixed(0) : a >= 10 ? v.toFixed(2) : a >= 1e-3 || a === 0 ? v.toFixed(4) : v.toExponential(2);
  }
  function duration(ms) {
    if (ms == null) { return ""; }
    var s = ms / 1000;
    return s < 60 ? s.toFixed(1) + " s" : Math.floor(s / 60) + " min " + Math.round(s % 60) + " s";
  }

  // an error shown in the field's own label, named, and announced; cleared with the next submit
  function fieldError(form, name, message) {
    var input = form.elements[name];
    var label = input.closest("label");
    var span = label.querySelector(".field-error");
    if (!span) {
      span = el("span", { "class": "field-error", id: form.id + "-" + name + "-error", role: "alert" });
      label.appendChild(span);
    }
    span.textContent = message;
    input.setAttribute("aria-invalid", "true");
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (described.indexOf(span.id) < 0) { described.push(span.id); input.setAttribute("aria-describedby", described.join(" ")); }
  }
  function clearErrors(form) {
    form.querySelectorAll(".field-error").forEach(function (s) { s.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (i) { i.removeAttribute("aria-invalid"); });
  }
  function labelOf(form, name) {
    var label = form.elements[name].closest("label");
    return label ? label.firstChild.textContent.trim() : name;
  }
  // a whole number in a number field, or an error naming the field; "" leaves the server's default
  function intField(form, name, min, errors) {
    var input = form.elements[name];
    if (input.value === "" && !(input.validity && input.validity.badInput)) { return undefined; }
    var v = Number(input.value);
    if (input.validity && input.validity.badInput || !Number.isInteger(v) || v < min) {
      errors.push([name, labelOf(form, name) + " must be a whole number >= " + min + ", but was "
        + (input.value === "" ? "not a number" : JSON.stringify(input.value))]);
      return undefined;
    }
    return v;
  }

  // ---------------------------------------------------------------- the theme

  var media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  function theme() { return view.theme || (media && media.matches ? "dark" : "light"); }
  function applyTheme() {
    var t = theme();
    document.documentElement.setAttribute("data-theme", t);
    var b = document.getElementById("theme-toggle");
    b.setAttribute("aria-pressed", String(t === "dark"));
    b.textContent = t === "dark" ? "Light mode" : "Dark mode";
    b.title = view.theme ? "chosen here; the system's setting is " + (media && media.matches ? "dark" : "light")
      : "following the system's setting";
  }
  function setupTheme() {
    applyTheme();
    document.getElementById("theme-toggle").addEventListener("click", function () {
      view.theme = theme() === "dark" ? "light" : "dark";
      applyTheme();
      changed("theme");
    });
    if (media && media.addEventListener) {
      media.addEventListener("change", function () { if (!view.theme) { applyTheme(); changed("theme"); } });
    }
  }

  // ---------------------------------------------------------------- the run form

  // the command line's --hidden for train: layer widths separated by commas, such as 64,32
  function parseLayers(text) {
    var t = text.trim();
    if (t === "") { return []; }
    if (!/^\d+(\s*,\s*\d+)*$/.test(t)) { return null; }
    var widths = t.split(",").map(function (s) { return parseInt(s, 10); });
    return widths.every(function (w) { return w >= 1; }) ? widths : null;
  }

  function readForm(form) {
    var body = {}, errors = [];
    [["epochs", 1], ["batchSize", 1], ["trainSize", 1], ["valSize", 1], ["patience", 0], ["seed", -2147483648]]
      .forEach(function (f) { var v = intField(form, f[0], f[1], errors); if (v !== undefined) { body[f[0]] = v; } });
    if (form.lr.value !== "" || form.lr.validity.badInput) {
      var lr = Number(form.lr.value);
      if (form.lr.validity.badInput || !(lr > 0)) {
        errors.push(["lr", "Learning rate must be a number > 0, but was " + JSON.stringify(form.lr.value)]);
      } else { body.lr = lr; }
    }
    var hidden = parseLayers(form.hidden.value);
    if (hidden == null) {
      errors.push(["hidden", "Hidden widths must be whole numbers >= 1 separated by commas, such as 64,32, but was "
        + JSON.stringify(form.hidden.value)]);
    } else { body.hidden = hidden; }
    ["activation", "optimizer", "monitor", "data"].forEach(function (n) { body[n] = form[n].value; });
    body.restoreBestWeights = form.restoreBestWeights.checked;
    if (form.noEarlyStopping.checked) {
      body.noEarlyStopping = true;
      delete body.patience; delete body.monitor; delete body.restoreBestWeights;
    }
    return { body: body, errors: errors };
  }

  function setupForm() {
    var form = document.getElementById("run-form");
    var error = document.getElementById("form-error");
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      error.textContent = "";
      clearErrors(form);
      var read = readForm(form);
      if (read.errors.length) {
        read.errors.forEach(function (e) { fieldError(form, e[0], e[1]); });
        form.elements[read.errors[0][0]].focus();
        return;
      }
      var button = document.getElementById("start-button");
      button.disabled = true;
      api("POST", "/runs", read.body).then(function (run) {
        track(run, true);
        refresh();
      }).catch(function (e) {
        if (e.field && form.elements[e.field]) { fieldError(form, e.field, e.message); } else { error.textContent = e.message; }
      }).then(function () { button.disabled = false; });
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
      r = runs[summary.id] = { epochs: [], stop: null, outcome: null, source: null, selected: false, forgotten: false,
        color: COLORS[(parseInt(summary.id, 10) - 1) % COLORS.length] };
      if (wanted && wanted.indexOf(String(summary.id)) >= 0) {
        wanted.splice(wanted.indexOf(String(summary.id)), 1);
        select = true;
      }
    }
    r.summary = summary;
    if (select && !r.selected) { setSelected(summary.id, true); }
    return r;
  }

  function setSelected(id, on) {
    var r = runs[id];
    r.selected = on;
    if (on && !r.source && (!r.outcome || r.epochs.length === 0)) { follow(id); }
    if (wanted == null) { wanted = []; }
    renderTable();
    renderReports();
    changed("runs");
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

  var redrawPending = false;
  function scheduleRedraw() {
    if (redrawPending) { return; }
    redrawPending = true;
    requestAnimationFrame(function () {
      redrawPending = false;
      listeners.runs.forEach(function (f) { f(); });
    });
  }

  function refresh() {
    return api("GET", "/runs").then(function (list) {
      var listed = {};
      list.runs.forEach(function (s) { listed[s.id] = true; track(s, false); });
      // a run the server no longer lists (forgotten elsewhere, or past its retention) leaves the page too
      Object.keys(runs).forEach(function (id) { if (!listed[id]) { drop(id); } });
      renderTable();
    }).catch(function () { });
  }

  function drop(id) {
    var r = runs[id];
    if (!r) { return; }
    if (r.source) { r.source.close(); }
    var wasShown = r.selected;
    delete runs[id];
    if (wasShown) { renderReports(); changed("runs"); }
  }

  function settingsText(s) {
    var st = s.settings;
    if (!st) { return ""; }
    var parts = [(st.hidden && st.hidden.length ? st.hidden.join("-") : "no hidden layer") + " " + st.activation,
      st.optimizer + " lr " + st.lr, "batch " + st.batchSize, "train " + st.trainSize + "/" + st.valSize,
      st.noEarlyStopping ? "no early stopping" : "patience " + st.patience + " on " + st.monitor + (st.restoreBestWeights ? ", restore" : ""),
      "seed " + st.seed];
    if (st.data && st.data !== "bundled") { parts.push("data " + st.data); }
    return parts.join(", ");
  }

  function sortValue(r, key) {
    var s = r.summary;
    switch (key) {
      case "name": return s.name;
      case "state": return s.state;
      case "epoch": return s.epoch;
      case "best": return s.best && typeof s.best.value === "number" ? s.best.value : Infinity;
      case "outcome": return s.outcome || "";
      case "duration": return s.trainingMs || 0;
      default: return parseInt(s.id, 10);
    }
  }

  function visibleIds() {
    var f = view.filter.trim().toLowerCase();
    var ids = Object.keys(runs).filter(function (id) {
      if (!f) { return true; }
      var r = runs[id], s = r.summary;
      return [s.name, s.state, s.outcome || "", settingsText(s)].join(" ").toLowerCase().indexOf(f) >= 0;
    });
    var sign = view.order === "asc" ? 1 : -1;
    ids.sort(function (a, b) {
      var va = sortValue(runs[a], view.sort), vb = sortValue(runs[b], view.sort);
      var c = typeof va === "string" ? va.localeCompare(vb) : va - vb;
      return sign * (c || parseInt(a, 10) - parseInt(b, 10));
    });
    return ids;
  }

  function actionButton(text, cls, label, onClick) {
    var b = el("button", { "class": "small " + cls, type: "button", "aria-label": label }, text);
    b.addEventListener("click", function () { onClick(b); });
    return b;
  }

  var tableKey = null;
  function renderTable() {
    // the list is polled every second: redraw only what changed, so focus and hover stay put
    var key = JSON.stringify([view.filter, view.sort, view.order, Object.keys(runs).map(function (id) {
      return [id, runs[id].selected, runs[id].summary];
    })]);
    if (key === tableKey) { return; }
    tableKey = key;
    var body = document.querySelector("#runs tbody");
    var focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("#runs tbody tr");
    var focusKey = focused ? focused.getAttribute("data-run") + "|" + document.activeElement.getAttribute("data-action") : null;
    body.innerHTML = "";
    var all = Object.keys(runs), ids = visibleIds();
    document.getElementById("no-runs").hidden = all.length > 0;
    var note = document.getElementById("runs-filtered");
    note.hidden = ids.length === all.length;
    note.textContent = "Showing " + ids.length + " of " + all.length + " runs (filter: " + JSON.stringify(view.filter) + ")";
    document.querySelectorAll("#runs th[data-sort]").forEach(function (th) {
      th.setAttribute("aria-sort", th.getAttribute("data-sort") === view.sort ? (view.order === "asc" ? "ascending" : "descending") : "none");
    });
    ids.forEach(function (id) {
      var r = runs[id], s = r.summary;
      var tr = el("tr", { "data-run": id, "class": r.selected ? "" : "hidden-run" });
      var show = el("input", { type: "checkbox", "aria-label": "show " + s.name + " on the charts", "data-action": "show" });
      show.checked = r.selected;
      show.addEventListener("change", function () { setSelected(id, show.checked); });
      var td = el("td", { "class": "show", "data-label": "Show" }); td.appendChild(show); tr.appendChild(td);
      var name = el("td", { "class": "name" }); var sw = el("span", { "class": "swatch", "aria-hidden": "true" });
      sw.style.background = r.color;
      name.appendChild(sw); name.appendChild(document.createTextNode(s.name)); tr.appendChild(name);
      tr.appendChild(el("td", { "class": "settings", "data-label": "Settings" }, settingsText(s)));
      tr.appendChild(el("td", { "class": "state", "data-label": "State" }, s.state));
      tr.appendChild(el("td", { "class": "num epoch", "data-label": "Epoch" }, s.epoch + " / " + s.epochs));
      tr.appendChild(el("td", { "class": "num best", "data-label": "Best " + (s.monitor || "") },
        s.best ? fmt(s.best.value) + " @" + s.best.epoch : ""));
      tr.appendChild(el("td", { "class": "outcome", "data-label": "Outcome" }, s.outcome || ""));
      tr.appendChild(el("td", { "class": "num duration", "data-label": "Duration" }, duration(s.trainingMs)));
      var act = el("td", { "class": "actions" });
      if (!s.outcome) {
        var cancel = actionButton("Cancel", "cancel", "cancel " + s.name, function (b) {
          b.disabled = true;
          api("DELETE", "/runs/" + encodeURIComponent(id)).then(refresh).catch(function (e) { alert(e.message); b.disabled = false; });
        });
        cancel.setAttribute("data-action", "cancel");
        act.appendChild(cancel);
      }
      act.appendChild(el("a", { "class": "button small ghost", href: "/runs/" + encodeURIComponent(id) + "/history.csv",
        download: s.name + "-history.csv", "aria-label": "download the history of " + s.name + " as CSV", "data-action": "csv" }, "CSV"));
      if (s.outcome) {
        act.appendChild(el("a", { "class": "button small ghost", href: "/runs/" + encodeURIComponent(id) + "/model",
          download: s.name + "-model.zip", "aria-label": "download the model of " + s.name, "data-action": "model" }, "Model"));
        var remove = actionButton("Remove", "ghost", "remove " + s.name + " from the list", function (b) {
          b.disabled = true;
          api("POST", "/runs/" + encodeURIComponent(id) + "/forget").then(function () { drop(id); renderTable(); })
            .catch(function (e) { alert(e.message); b.disabled = false; });
        });
        remove.setAttribute("data-action", "remove");
        act.appendChild(remove);
      }
      tr.appendChild(act);
      body.appendChild(tr);
    });
    if (focusKey) {
      var again = body.querySelector("tr[data-run=\"" + focusKey.split("|")[0] + "\"] [data-action=\"" + focusKey.split("|")[1] + "\"]");
      if (again) { again.focus(); }
    }
  }

  function setupTable() {
    var filter = document.getElementById("run-filter"), sort = document.getElementById("run-sort"),
      order = document.getElementById("run-order");
    filter.value = view.filter;
    sort.value = view.sort;
    order.value = view.order;
    filter.addEventListener("input", function () { view.filter = filter.value; renderTable(); saveView(); });
    sort.addEventListener("change", function () { view.sort = sort.value; renderTable(); saveView(); });
    order.addEventListener("change", function () { view.order = order.value; renderTable(); saveView(); });
    document.querySelectorAll("#runs th[data-sort] button").forEach(function (b) {
      b.addEventListener("click", function () {
        var key = b.parentNode.getAttribute("data-sort");
        view.order = view.sort === key && view.order === "asc" ? "desc" : "asc";
        view.sort = key;
        sort.value = key; order.value = view.order;
        renderTable(); saveView();
      });
    });
    document.getElementById("show-all").addEventListener("click", function () {
      visibleIds().forEach(function (id) { if (!runs[id].selected) { setSelected(id, true); } });
    });
    document.getElementById("hide-all").addEventListener("click", function () {
      visibleIds().forEach(function (id) { if (runs[id].selected) { setSelected(id, false); } });
    });
  }

  function renderReports() {
    var box = document.getElementById("reports");
    box.innerHTML = "";
    selectedIds().forEach(function (id) {
      var r = runs[id];
      if (!r.outcome) { return; }
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

  function selectedIds() {
    return Object.keys(runs).filter(function (id) { return runs[id].selected; }).sort(function (a, b) { return a - b; });
  }

  window.epochflux = {
    api: api, el: el, fmt: fmt, num: num, colors: COLORS, runs: runs, view: view, selectedIds: selectedIds,
    saveView: saveView, changed: changed, theme: theme, fieldError: fieldError, clearErrors: clearErrors,
    labelOf: labelOf, intField: intField,
    on: function (kind, f) { listeners[kind].push(f); }
  };
  setupTheme();
  setupForm();
  setupTable();
  refresh();
  setInterval(refresh, 1000);
})();
