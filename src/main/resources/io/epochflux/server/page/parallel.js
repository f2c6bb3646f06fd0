// Parallel coordinates in SVG, no library: one vertical axis per setting and one for the result,
// one polyline per row. Dragging along an axis brushes a range; rows outside any brush are dimmed
// and reported through onBrush. On a focused axis, the arrow keys move a brush and Escape clears it.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }

  // axes: [{key, label, kind: "number" | "log" | "category"}]; rows: [{id, values: {key: v}, color, faded, best}]
  function ParallelCoordinates(box, onBrush) {
    this.box = box;
    this.onBrush = onBrush;
    this.brushes = {};   // key -> [lo, hi] in the axis's fraction of its height (0 bottom, 1 top)
    this.axes = [];
    this.rows = [];
    this.linked = null;
  }

  ParallelCoordinates.prototype.position = function (axis, v) {
    // where a value sits on its axis, 0 (bottom) to 1 (top)
    if (v == null || (typeof v === "number" && !isFinite(v))) { return null; }
    if (axis.kind === "category") {
      var i = axis.domain.indexOf(String(v));
      return axis.domain.length === 1 ? 0.5 : i / (axis.domain.length - 1);
    }
    var lo = axis.domain[0], hi = axis.domain[1];
    if (axis.kind === "log") { v = Math.log10(v); lo = Math.log10(lo); hi = Math.log10(hi); }
    return hi === lo ? 0.5 : (v - lo) / (hi - lo);
  };

  ParallelCoordinates.prototype.set = function (axes, rows) {
    var self = this;
    axes.forEach(function (a) {
      var vals = rows.map(function (r) { return r.values[a.key]; }).filter(function (v) { return v != null && v !== ""; });
      if (a.kind === "category") {
        a.domain = vals.map(String).filter(function (v, i, all) { return all.indexOf(v) === i; });
        if (a.order) { a.domain.sort(a.order); }
      } else {
        var nums = vals.filter(function (v) { return typeof v === "number" && isFinite(v) && (a.kind !== "log" || v > 0); });
        a.domain = nums.length ? [Math.min.apply(null, nums), Math.max.apply(null, nums)] : [0, 1];
      }
    });
    // brushes on axes that are gone, or on a domain that changed meaning, are dropped
    var keys = axes.map(function (a) { return a.key; });
    Object.keys(this.brushes).forEach(function (k) { if (keys.indexOf(k) < 0) { delete self.brushes[k]; } });
    this.axes = axes;
    this.rows = rows;
    this.draw();
  };

  ParallelCoordinates.prototype.kept = function (row) {
    var self = this;
    return Object.keys(this.brushes).every(function (k) {
      var a = self.axes.filter(function (x) { return x.key === k; })[0];
      var p = a ? self.position(a, row.values[k]) : null;
      var b = self.brushes[k];
      return p != null && p >= b[0] - 1e-9 && p <= b[1] + 1e-9;
    });
  };

  ParallelCoordinates.prototype.link = function (id) {
    this.linked = id;
    this.draw();
  };

  ParallelCoordinates.prototype.clear = function () {
    this.brushes = {};
    this.draw();
    this.report();
  };

  ParallelCoordinates.prototype.report = function () {
    var self = this;
    var kept = this.rows.filter(function (r) { return self.kept(r); }).map(function (r) { return r.id; });
    this.box.setAttribute("data-kept", kept.length);
    this.box.setAttribute("data-brushed", Object.keys(this.brushes).join(","));
    if (this.onBrush) { this.onBrush(kept, Object.keys(this.brushes).length > 0); }
  };

  ParallelCoordinates.prototype.draw = function () {
    var self = this, box = this.box;
    box.innerHTML = "";
    box.setAttribute("data-trials", this.rows.length);
    if (!this.axes.length || !this.rows.length) {
      var p = document.createElement("p");
      p.className = "muted";
      p.textContent = "Start or select a sweep: each trial becomes a line across its settings and its best val_loss.";
      box.appendChild(p);
      return;
    }
    var width = Math.max(280, box.clientWidth), height = 260, top = 34, bottom = 24;
    var left = 46, right = 46, span = height - top - bottom;
    var root = svg("svg", { viewBox: "0 0 " + width + " " + height, role: "group",
      "aria-label": "parallel coordinates of the trials' settings against their best val_loss" });
    var step = this.axes.length > 1 ? (width - left - right) / (this.axes.length - 1) : 0;
    var xOf = function (i) { return this.axes.length > 1 ? left + i * step : width / 2; }.bind(this);
    var yOf = function (p) { return top + (1 - p) * span; };
    // the lines first, under the axes
    var lines = svg("g", { "class": "lines" });
    this.rows.forEach(function (r) {
      var pts = [];
      self.axes.forEach(function (a, i) {
        var p = self.position(a, r.values[a.key]);
        if (p != null) { pts.push(xOf(i).toFixed(1) + "," + yOf(p).toFixed(1)); }
      });
      var cls = (r.faded ? "faded " : "") + (r.best ? "best " : "") + (self.kept(r) ? "" : "out ")
        + (self.linked === r.id ? "linked" : "");
      var line = svg("polyline", { points: pts.join(" "), "class": cls.trim(), stroke: r.color, "data-id": r.id });
      var title = svg("title", {});
      title.textContent = r.id;
      line.appendChild(title);
      lines.appendChild(line);
    });
    root.appendChild(lines);
    this.axes.forEach(function (a, i) {
      var x = xOf(i);
      var g = svg("g", { "class": "axis", tabindex: "0", role: "slider", "data-key": a.key,
        "aria-label": "brush " + a.label + ": drag along the axis, or use the arrow keys; Escape clears",
        "aria-valuetext": self.brushes[a.key] ? "brushed" : "not brushed" });
      g.appendChild(svg("line", { x1: x, x2: x, y1: top, y2: top + span }));
      var label = svg("text", { x: x, y: 14, "text-anchor": i === 0 ? "start" : i === self.axes.length - 1 ? "end" : "middle",
        "font-weight": "600" });
      label.textContent = a.label;
      g.appendChild(label);
      self.ticks(a).forEach(function (t) {
        var y = yOf(self.position(a, t.value));
        g.appendChild(svg("line", { x1: x - 3, x2: x + 3, y1: y, y2: y }));
        var tx = svg("text", { x: i === self.axes.length - 1 ? x - 6 : x + 6, y: y + 4,
          "text-anchor": i === self.axes.length - 1 ? "end" : "start" });
        tx.textContent = t.text;
        g.appendChild(tx);
      });
      var b = self.brushes[a.key];
      if (b) {
        g.appendChild(svg("rect", { "class": "brush", x: x - 8, width: 16, y: yOf(b[1]), height: Math.max(2, (b[1] - b[0]) * span) }));
      }
      // a wide transparent strip catches the drags
      var hit = svg("rect", { "class": "hit", x: x - 14, width: 28, y: top - 6, height: span + 12, fill: "transparent" });
      g.appendChild(hit);
      self.drag(g, a, function (clientY) {
        var r = root.getBoundingClientRect();
        var y = (clientY - r.top) * (height / r.height);
        return Math.max(0, Math.min(1, 1 - (y - top) / span));
      });
      self.keys(g, a);
      root.appendChild(g);
    });
    box.appendChild(root);
  };

  ParallelCoordinates.prototype.ticks = function (a) {
    if (a.kind === "category") { return a.domain.map(function (v) { return { value: v, text: v }; }); }
    var lo = a.domain[0], hi = a.domain[1];
    var f = window.epochflux ? window.epochflux.fmt : String;
    if (lo === hi) { return [{ value: lo, text: f(lo) }]; }
    // a searched setting has a few values: tick each of them, not made-up ones between
    if (a.key !== "bestValLoss") {
      var seen = this.rows.map(function (r) { return r.values[a.key]; })
        .filter(function (v, i, all) { return typeof v === "number" && all.indexOf(v) === i; });
      if (seen.length <= 6) { return seen.map(function (v) { return { value: v, text: String(v) }; }); }
    }
    if (a.kind === "log") {
      var mid = Math.pow(10, (Math.log10(lo) + Math.log10(hi)) / 2);
      return [lo, mid, hi].map(function (v) { return { value: v, text: f(v) }; });
    }
    return [lo, (lo + hi) / 2, hi].map(function (v) { return { value: v, text: f(v) }; });
  };

  ParallelCoordinates.prototype.drag = function (g, a, fraction) {
    var self = this, start = null;
    g.addEventListener("pointerdown", function (ev) {
      ev.preventDefault();
      start = fraction(ev.clientY);
      g.setPointerCapture(ev.pointerId);
    });
    g.addEventListener("pointermove", function (ev) {
      if (start == null) { return; }
      var now = fraction(ev.clientY);
      self.brushes[a.key] = [Math.min(start, now), Math.max(start, now)];
      var rect = g.querySelector("rect.brush");
      if (!rect) { rect = svg("rect", { "class": "brush" }); g.insertBefore(rect, g.querySelector("rect.hit")); }
      self.redrawLater();
    });
    g.addEventListener("pointerup", function (ev) {
      if (start == null) { return; }
      var now = fraction(ev.clientY);
      // a click without a drag clears the axis's brush
      if (Math.abs(now - start) < 0.02) { delete self.brushes[a.key]; }
      else { self.brushes[a.key] = [Math.min(start, now), Math.max(start, now)]; }
      start = null;
      self.draw();
      self.focus(a.key);
      self.report();
    });
  };

  ParallelCoordinates.prototype.keys = function (g, a) {
    var self = this;
    g.addEventListener("keydown", function (ev) {
      var b = self.brushes[a.key];
      var step = ev.shiftKey ? 0.02 : 0.1;
      if (ev.key === "Escape") { delete self.brushes[a.key]; }
      else if (ev.key === "ArrowUp" || ev.key === "ArrowDown") {
        // a fresh brush covers the upper half; the arrows move it, with Shift in finer steps
        if (!b) { b = [0.5, 1]; }
        var d = ev.key === "ArrowUp" ? step : -step;
        var lo = Math.max(0, Math.min(1 - (b[1] - b[0]), b[0] + d));
        self.brushes[a.key] = [lo, lo + (b[1] - b[0])];
      } else if (ev.key === "ArrowLeft" || ev.key === "ArrowRight") {
        // narrower or wider
        if (!b) { b = [0, 1]; }
        var w = Math.max(0.05, Math.min(1, (b[1] - b[0]) + (ev.key === "ArrowRight" ? step : -step)));
        var mid = (b[0] + b[1]) / 2;
        var l = Math.max(0, Math.min(1 - w, mid - w / 2));
        self.brushes[a.key] = [l, l + w];
      } else { return; }
      ev.preventDefault();
      self.draw();
      self.focus(a.key);
      self.report();
    });
  };

  ParallelCoordinates.prototype.focus = function (key) {
    var g = this.box.querySelector("g.axis[data-key=\"" + key + "\"]");
    if (g) { g.focus(); }
  };

  ParallelCoordinates.prototype.redrawLater = function () {
    var self = this;
    if (this.pending) { return; }
    this.pending = true;
    requestAnimationFrame(function () {
      self.pending = false;
      // during a drag only the rectangles and the lines' classes change
      var root = self.box.querySelector("svg");
      if (!root) { return; }
      var height = 260, top = 34, span = height - top - 24;
      self.axes.forEach(function (a) {
        var g = root.querySelector("g.axis[data-key=\"" + a.key + "\"]"), b = self.brushes[a.key];
        var rect = g && g.querySelector("rect.brush");
        if (!rect || !b) { return; }
        var x = parseFloat(g.querySelector("line").getAttribute("x1"));
        rect.setAttribute("x", x - 8);
        rect.setAttribute("width", 16);
        rect.setAttribute("y", top + (1 - b[1]) * span);
        rect.setAttribute("height", Math.max(2, (b[1] - b[0]) * span));
      });
      root.querySelectorAll("polyline").forEach(function (line) {
        var row = self.rows.filter(function (r) { return r.id === line.getAttribute("data-id"); })[0];
        line.classList.toggle("out", row ? !self.kept(row) : false);
      });
    });
  };

  window.epochflux.ParallelCoordinates = ParallelCoordinates;
})();
