"use strict";
// grit run report: draws the curves of metrics.jsonl as SVG and browses the rollouts of one step at
// a time (report/step-NNNNNN.js, loaded on demand with a script element so that file:// works).
(function () {

  var SVGNS = "http://www.w3.org/2000/svg";
  var COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];
  var DASHES = ["", "6 3", "2 2", "8 3 2 3"];

  var runs = JSON.parse(document.getElementById("grit-runs").textContent);
  runs.forEach(function (r, i) { r.rows = byStep(window.gritRows && gritRows[i] || []); });

  // byStep orders a run's metrics lines (from report/metrics.js) by step; a later line for a step
  // replaces an earlier one (a resumed run repeats steps).
  function byStep(rows) {
    var m = new Map();
    rows.forEach(function (o) { if (o && typeof o.step === "number") m.set(o.step, o); });
    return Array.from(m.values()).sort(function (a, b) { return a.step - b.step; });
  }

  function isTiming(k) { return /_s$|_per_s$/.test(k); }
  // An eval_* metric logged at step s measured the policy after that step: x = s+1, and the base
  // evaluation (summary.json "base") is its point at x = 0.
  function isEval(k) { return k.indexOf("eval_") === 0 && !isTiming(k); }

  // evalShift is where an evaluation logged at step s is drawn, s + evalShift: metrics.jsonl that
  // numbers its first step 0 logs at step s the eval of the policy after s+1 steps; one that
  // numbers it 1 logs the eval after s steps.
  function evalShift(r) { return r.rows.length && r.rows[0].step === 0 ? 1 : 0; }

  function seriesOf(r, key) {
    var pts = [];
    var ev = isEval(key), shift = evalShift(r);
    if (ev && r.base) {
      var b = r.base[key.slice(5)];
      if (typeof b === "number" && isFinite(b)) pts.push([0, b]);
    }
    r.rows.forEach(function (row) {
      var v = row[key];
      if (typeof v !== "number" || !isFinite(v)) return;
      pts.push([ev ? row.step + shift : row.step, v]);
    });
    return pts;
  }

  // Panels: known metric families first, then one panel for every other numeric key present.
  var PANELS = [
    ["reward", "Reward: total and per component (mean over rollouts)", function (k) { return k === "reward_mean" || /^reward\/.+_mean$/.test(k) || /^reward_t[12]_mean$/.test(k); }],
    ["accuracy", "Accuracy: train rollouts and held-out (greedy)", function (k) { return k === "accuracy" || k === "eval_accuracy"; }],
    ["score", "SCoRe: held-out Acc@t1, Acc@t2, Δ(t1,t2), Δ i→c, Δ c→i", function (k) { return /^eval_(acc_t1|acc_t2|delta_t1_t2|delta_i_to_c|delta_c_to_i)$/.test(k); }],
    ["tools", "Tool calls per episode", function (k) { return k === "tool_calls_mean" || k === "eval_tool_calls_mean"; }],
    ["hdpo", "HDPO: fraction of samples in a qualifying correct set", function (k) { return k === "eff_qualifying_frac"; }],
    ["kl", "KL to the reference policy", function (k) { return k === "kl"; }],
    ["entropy", "Entropy (nats per token)", function (k) { return k === "entropy"; }],
    ["clip", "Clip fractions", function (k) { return /^clip_frac/.test(k); }],
    ["ratio", "Importance ratio (mean)", function (k) { return k === "ratio_mean"; }],
    ["length", "Completion length (tokens)", function (k) { return k === "completion_len_mean" || k === "eval_length_mean"; }],
    ["truncation", "Truncation", function (k) { return k === "truncated_frac" || k === "masked_truncated"; }],
    ["loss", "Loss", function (k) { return k === "loss" || k === "loss_eff"; }],
    ["grad", "Gradient norm", function (k) { return k === "grad_norm"; }],
    ["lr", "Learning rate", function (k) { return k === "lr"; }],
    ["groups", "Groups: uninformative / zero-std / dropped", function (k) { return k === "groups_uninformative" || k === "zero_std_groups" || k === "groups_dropped"; }],
    ["timing", "Time per step (s)", function (k) { return /^(sample|score|update|eval|step)_s$/.test(k); }],
    ["throughput", "Generated tokens per second", function (k) { return k === "gen_tokens_per_s"; }]
  ];

  function allKeys() {
    var seen = new Set();
    runs.forEach(function (r) {
      r.rows.forEach(function (row) {
        Object.keys(row).forEach(function (k) { if (k !== "step" && typeof row[k] === "number") seen.add(k); });
      });
    });
    return Array.from(seen).sort();
  }

  function layoutPanels() {
    var keys = allKeys(), used = new Set(), out = [];
    PANELS.forEach(function (p) {
      var ks = keys.filter(p[2]);
      if (!ks.length) return;
      ks.forEach(function (k) { used.add(k); });
      out.push({ id: p[0], title: p[1], keys: ks });
    });
    var other = keys.filter(function (k) { return !used.has(k); });
    if (other.length) out.push({ sub: "Every other metric in metrics.jsonl" });
    other.forEach(function (k) { out.push({ id: "m-" + k.replace(/[^A-Za-z0-9_-]/g, "_"), title: k, keys: [k] }); });
    return out;
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (a) { e.setAttribute(a, attrs[a]); });
    if (text != null) e.textContent = text;
    return e;
  }
  function sel(tag, attrs) {
    var e = document.createElementNS(SVGNS, tag);
    if (attrs) Object.keys(attrs).forEach(function (a) { e.setAttribute(a, attrs[a]); });
    return e;
  }

  // niceTicks returns round tick values covering [lo, hi] (about n of them); ticks.step is their
  // spacing, which sets how many decimals the labels need.
  function niceTicks(lo, hi, n) {
    if (!(hi > lo)) { var d = Math.abs(lo) * 0.1 || 1; lo -= d; hi += d; }
    var raw = (hi - lo) / n, mag = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / mag;
    var step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
    var ticks = [], a = Math.floor(lo / step), b = Math.ceil(hi / step);
    for (var i = a; i <= b; i++) ticks.push(i * step);
    ticks.step = step;
    return ticks;
  }
  function tickLabel(v, step) {
    if (Math.abs(v) < step / 2) return "0";
    var a = Math.abs(v);
    if (a >= 1e5 || step < 1e-4 && a < 1e-2) return v.toExponential(Math.max(0, Math.round(Math.log10(a) - Math.log10(step))));
    return v.toFixed(Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
  }
  function fmt(v) {
    if (v === 0) return "0";
    var a = Math.abs(v);
    if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
    return String(+v.toPrecision(4));
  }

  // chart draws one panel's series (each [run, key, points]) into an SVG with axes; the legend is
  // HTML below the plot, never over the data.
  function chart(panel) {
    var W = 440, H = 210, L = 52, R = 10, T = 8, B = 26;
    var series = [];
    runs.forEach(function (r, ri) {
      panel.keys.forEach(function (k, ki) {
        var pts = seriesOf(r, k);
        if (pts.length) series.push({ run: ri, key: k, ki: ki, pts: pts });
      });
    });
    var box = el("div", { "class": "panel", id: "panel-" + panel.id });
    box.appendChild(el("h3", null, panel.title));
    if (!series.length) return null;
    var xs = [], ys = [];
    series.forEach(function (s) { s.pts.forEach(function (p) { xs.push(p[0]); ys.push(p[1]); }); });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    if (x1 === x0) { x1 = x0 + 1; }
    var yt = niceTicks(y0, y1, 5);
    y0 = yt[0]; y1 = yt[yt.length - 1];
    var xall = niceTicks(x0, x1, 6), xt = xall.filter(function (v) { return v >= x0 && v <= x1; });
    xt.step = xall.step;
    function X(v) { return L + (v - x0) / (x1 - x0) * (W - L - R); }
    function Y(v) { return T + (1 - (v - y0) / (y1 - y0)) * (H - T - B); }
    var svg = sel("svg", { viewBox: "0 0 " + W + " " + H, "data-panel": panel.id });
    // A tiny range far from zero (a ratio of 1 +- 1e-8) is labelled relative to an offset shown at
    // the top, so labels stay short.
    var offset = 0;
    if (yt.step < 1e-4 * Math.max(Math.abs(y0), Math.abs(y1))) {
      offset = yt[Math.floor(yt.length / 2)];
      var ot = sel("text", { x: L + 4, y: T + 9 }); ot.textContent = "offset " + String(offset); svg.appendChild(ot);
    }
    yt.forEach(function (v) {
      svg.appendChild(sel("line", { "class": "grid", x1: L, x2: W - R, y1: Y(v), y2: Y(v) }));
      var t = sel("text", { x: L - 4, y: Y(v) + 3, "text-anchor": "end" });
      t.textContent = offset ? (v - offset >= 0 ? "+" : "") + tickLabel(v - offset, yt.step) : tickLabel(v, yt.step);
      svg.appendChild(t);
    });
    xt.forEach(function (v) {
      var t = sel("text", { x: X(v), y: H - B + 12, "text-anchor": "middle" }); t.textContent = tickLabel(v, xt.step); svg.appendChild(t);
    });
    var xl = sel("text", { x: (L + W - R) / 2, y: H - 2, "text-anchor": "middle" }); xl.textContent = "step"; svg.appendChild(xl);
    svg.appendChild(sel("line", { "class": "axis", x1: L, x2: L, y1: T, y2: H - B }));
    svg.appendChild(sel("line", { "class": "axis", x1: L, x2: W - R, y1: H - B, y2: H - B }));
    var legend = el("div", { "class": "legend" });
    series.forEach(function (s, i) {
      var color = runs.length > 1 ? COLORS[s.run % COLORS.length] : COLORS[i % COLORS.length];
      var dash = runs.length > 1 ? DASHES[s.ki % DASHES.length] : "";
      var pl = sel("polyline", {
        fill: "none", stroke: color, "stroke-width": 1.5, "stroke-dasharray": dash,
        "data-series": s.run + ":" + s.key, "data-n": s.pts.length,
        points: s.pts.map(function (p) { return X(p[0]).toFixed(1) + "," + Y(p[1]).toFixed(1); }).join(" ")
      });
      svg.appendChild(pl);
      if (isEval(s.key) || s.pts.length < 40) {
        s.pts.forEach(function (p) { svg.appendChild(sel("circle", { cx: X(p[0]).toFixed(1), cy: Y(p[1]).toFixed(1), r: 2.2, fill: color })); });
      }
      var last = s.pts[s.pts.length - 1];
      var name = (runs.length > 1 ? runs[s.run].name + " · " : "") + s.key;
      var item = el("span", { title: "last: step " + last[0] + " = " + last[1] });
      var sw = el("span", { "class": "swatch" }); sw.style.background = color;
      item.appendChild(sw); item.appendChild(document.createTextNode(name + " (" + fmt(last[1]) + ")"));
      legend.appendChild(item);
    });
    box.appendChild(svg);
    box.appendChild(legend);
    return box;
  }

  function drawCurves() {
    var host = document.getElementById("panels");
    layoutPanels().forEach(function (p) {
      if (p.sub) { host.appendChild(el("h3", { "class": "subhead" }, p.sub)); return; }
      var c = chart(p);
      if (c) host.appendChild(c);
    });
  }

  function runInfo() {
    var host = document.getElementById("run-info");
    runs.forEach(function (r, i) {
      var c = r.config || {};
      var parts = [r.name, c.algo, c.env, "seed " + c.seed, r.rows.length ? r.rows.length + " steps logged" : "no metrics (report/metrics.js missing beside the page)"];
      if (r.base && typeof r.base.accuracy === "number") parts.push("held-out base " + (100 * r.base.accuracy).toFixed(1) + "%");
      if (r.final && typeof r.final.accuracy === "number") parts.push("final " + (100 * r.final.accuracy).toFixed(1) + "%");
      var s = el("span", { "class": "run" });
      if (runs.length > 1) { var sw = el("span", { "class": "swatch" }); sw.style.background = COLORS[i % COLORS.length]; s.appendChild(sw); }
      s.appendChild(document.createTextNode(parts.filter(function (x) { return x != null && x !== "seed undefined"; }).join(" · ")));
      host.appendChild(s);
    });
  }

  // ---- rollout browser ----
  var cache = {}, loaded = {}, current = null, wanted = null;
  var $ = function (id) { return document.getElementById(id); };

  // gritStep is called by a rollout script once per step it holds (a script holds run.chunk
  // consecutive steps); the script element's data-run says which run it belongs to. A step that
  // appears twice (a resumed run) keeps its later version.
  window.gritStep = function (data) {
    var cs = document.currentScript, run = cs && cs.getAttribute("data-run");
    if (run != null) cache[run + ":" + data.step] = data;
  };

  function pad6(n) { var s = String(n); while (s.length < 6) s = "0" + s; return s; }

  // loadStep calls done with the step's data once its chunk script ran; only the latest request is
  // shown, so clicking through steps quickly never shows an older step.
  function loadStep(ri, step, done) {
    var key = ri + ":" + step;
    wanted = key;
    var finish = function (data, why) { if (wanted === key) done(data, why); };
    if (cache[key]) { finish(cache[key]); return; }
    var src = runs[ri].step_url + "steps-" + pad6(Math.floor(step / runs[ri].chunk) * runs[ri].chunk) + ".js";
    if (loaded[src]) { finish(null, "step " + step + " is not in " + src); return; }
    var s = document.createElement("script");
    s.setAttribute("data-run", ri);
    s.onload = function () { loaded[src] = true; finish(cache[key] || null, "step " + step + " is not in " + src); };
    s.onerror = function () { finish(null, "could not load " + src + " (keep the report/ folder next to the page)"); };
    s.src = src;
    document.body.appendChild(s);
  }

  function setupRollouts() {
    var rp = $("run-pick");
    runs.forEach(function (r, i) { rp.appendChild(el("option", { value: i }, r.name)); });
    if (runs.length < 2) $("run-pick-label").style.display = "none";
    rp.onchange = function () { fillSteps(); show(); };
    $("step-pick").onchange = show;
    $("step-prev").onclick = function () { var sp = $("step-pick"); if (sp.selectedIndex > 0) { sp.selectedIndex--; show(); } };
    $("step-next").onclick = function () { var sp = $("step-pick"); if (sp.selectedIndex < sp.options.length - 1) { sp.selectedIndex++; show(); } };
    ["filter-correct", "filter-rmin", "filter-rmax", "filter-prompt"].forEach(function (id) { $(id).oninput = render; $(id).onchange = render; });
    fillSteps();
    show();
  }

  function fillSteps() {
    var r = runs[+$("run-pick").value || 0], sp = $("step-pick");
    sp.textContent = "";
    var steps = r.steps || r.rows.map(function (row) { return row.step; }); // null: every logged step
    steps.forEach(function (s) { sp.appendChild(el("option", { value: s }, String(s))); });
    sp.selectedIndex = sp.options.length - 1;
  }

  function show() {
    var ri = +$("run-pick").value || 0, r = runs[ri], sp = $("step-pick");
    if (!sp.options.length) {
      $("rollout-status").textContent = r.note || "This run has no rollout files (rollouts/step-*.arrow); sft runs sample nothing.";
      $("groups").textContent = "";
      current = null;
      return;
    }
    var step = +sp.value;
    $("rollout-status").textContent = "loading step " + step + " …";
    loadStep(ri, step, function (data, why) {
      if (!data) { $("rollout-status").textContent = why; $("groups").textContent = ""; current = null; return; }
      current = data;
      render();
    });
  }

  function probColor(lp) {
    var p = Math.exp(lp);
    return "hsl(" + Math.round(120 * p) + ",75%,82%)";
  }

  function sampleMatches(s) {
    var want = $("filter-correct").value;
    if (want === "correct" && !s.ok) return false;
    if (want === "wrong" && s.ok) return false;
    var lo = parseFloat($("filter-rmin").value), hi = parseFloat($("filter-rmax").value);
    if (!isNaN(lo) && !(s.r != null && s.r >= lo)) return false;
    if (!isNaN(hi) && !(s.r != null && s.r <= hi)) return false;
    return true;
  }

  function render() {
    var host = $("groups");
    host.textContent = "";
    if (!current) return;
    var d = current, q = $("filter-prompt").value, ng = 0, ns = 0, total = 0;
    var frag = document.createDocumentFragment();
    d.groups.forEach(function (g) {
      total += g.samples.length;
      if (q && g.prompt.indexOf(q) < 0 && g.id.indexOf(q) < 0) return;
      var shown = g.samples.filter(sampleMatches);
      if (!shown.length) return;
      ng++; ns += shown.length;
      var box = el("div", { "class": "group", "data-group": g.g });
      box.appendChild(el("div", { "class": "ghead" }, "group " + g.g + " · task " + g.id + " · group accuracy " + (100 * g.acc).toFixed(0) + "%"));
      box.appendChild(el("pre", { "class": "prompt" }, g.prompt));
      var tb = el("table", { "class": "samples" });
      var hr = el("tr");
      ["#", "verdict", "reward", "components", "advantage", "tokens", "completion"].forEach(function (h) { hr.appendChild(el("th", null, h)); });
      tb.appendChild(hr);
      shown.forEach(function (s) { tb.appendChild(sampleRow(d, g, s)); });
      box.appendChild(tb);
      frag.appendChild(box);
    });
    host.appendChild(frag);
    $("rollout-status").textContent = "step " + d.step + ": showing " + ns + " of " + total + " samples in " + ng + " of " + d.groups.length + " groups";
  }

  function sampleRow(d, g, s) {
    var tr = el("tr", { "data-sample": g.g + ":" + s.i });
    tr.appendChild(el("td", { "class": "num" }, String(s.i)));
    var v = el("td", { "class": s.ok ? "ok" : "bad" }, s.ok ? "✓ correct" : "✗ wrong");
    if (s.trunc) v.appendChild(el("span", { "class": "flag" }, "truncated"));
    if (s.masked) v.appendChild(el("span", { "class": "flag" }, "masked"));
    tr.appendChild(v);
    tr.appendChild(el("td", { "class": "num" }, s.r == null ? "— (no component)" : fmt(s.r) + (s.r_eff ? " / eff " + fmt(s.r_eff) : "")));
    var comps = el("td");
    d.components.forEach(function (name, i) {
      var line = el("div");
      if (s.cv[i] != null) line.textContent = name + " = " + fmt(s.cv[i]);
      else if (s.ce[i]) { line.className = "err"; line.textContent = name + " failed: " + s.ce[i]; }
      else return;
      comps.appendChild(line);
    });
    tr.appendChild(comps);
    tr.appendChild(el("td", { "class": "num" }, fmt(s.adv) + (s.adv_eff ? " / eff " + fmt(s.adv_eff) : "")));
    tr.appendChild(el("td", { "class": "num" }, s.ntok + (s.tools ? " · " + s.tools + " tool calls" : "")));
    var c = el("td");
    s.turns.forEach(function (t, k) {
      if (t.obs) c.appendChild(el("div", { "class": "obs", title: "environment observation before turn " + k }, t.obs));
      var line = el("div", { "class": "turn", "data-text": t.text, title: "turn " + k });
      t.ids.forEach(function (id, j) {
        var lp = t.lp[j] / 1000; // stored in thousandths
        var sp = el("span", { "class": "tok", title: "id " + id + "  log p = " + lp.toFixed(3) + "  p = " + Math.exp(lp).toFixed(3) }, d.pieces[id] != null ? d.pieces[id] : "⟨" + id + "⟩");
        sp.style.background = probColor(lp);
        line.appendChild(sp);
      });
      c.appendChild(line);
    });
    tr.appendChild(c);
    return tr;
  }

  runInfo();
  drawCurves();
  var curvesMs = performance.now(); // since navigation: parsing, the metrics scripts and drawing
  setupRollouts();
  var st = $("grit-selftest");
  st.textContent = JSON.stringify({ curves_ms: curvesMs, panels: document.querySelectorAll(".panel").length });
  document.body.setAttribute("data-curves-ms", curvesMs.toFixed(1));
})();
