// The lab page: wires the state, the controls, the URL, the plots and Python together.
//
// Start-up, fastest first: the worker starts loading Pyodide at once; meanwhile
// static/boot.json (built by build.py with the same core in CPython) gives the catalog,
// the default landscape and the default path at 64 learning rates, so the page draws
// and the slider scrubs (nearest precomputed lr) before Python is ready. When Python is
// ready, every change runs live through `latest("run", ...)`: one request in flight,
// the newest wins.

import {
  bindControls, fillSelect, makeCodecs, renderHyperFields,
} from "./controls.js";
import { formatCoord, formatLoss, formatLr } from "./format.js";
import { createPlots, normalizeRun } from "./plots.js";
import { createStore, makeSchema, runMessage, sameButLr, sliderScale } from "./state.js";
import { applyParams, describeIgnored, parseQuery, writeUrl } from "./url.js";
import { createLessonPanel, groupPresets } from "./lessonpanel.js";
import { mountShare } from "./share.js";
import { createPythonHandle, describe, setPythonText } from "./python-start.js";

const PASSTHROUGH = ["code", "id"];       // query keys other parts of the page own
const RUN_CACHE_SIZE = 800;
const SWEEP_MAX_POINTS = 150000;    // prefetch every slider notch when K·(steps+1) is at most this
const SWEEP_MAX_WORK = 2e6;         // ... and K·(steps+1)·(1 + data rows) at most this
const SWEEP_TIME_LIMIT_MS = 4000;
const $ = (id) => document.getElementById(id);
const embedded = window.parent !== window;

// Python starts once the first view is drawn (or at once without boot.json): compiling
// Pyodide's WebAssembly takes both cores of a small machine for a few seconds, and the
// first paint should not wait behind it.
const python = createPythonHandle();
const bootData = fetch("static/boot.json")
  .then((r) => (r.ok ? r.json() : null))
  .catch(() => null);

/** Plotly (a classic script loaded async by index.html). */
function plotlyReady() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  const script = document.getElementById("plotly-script");
  return new Promise((resolve, reject) => {
    script.addEventListener("load", () => resolve(window.Plotly));
    script.addEventListener("error", () => reject(new Error("the plotting library did not load")));
  });
}

function setText(id, text) {
  const el = $(id);
  el.textContent = text || "";
  el.hidden = !text;
}

async function main() {
  const boot = await bootData;
  let catalog = boot && boot.catalog;
  if (!catalog) {
    $("status").textContent = "loading …";
    python.start();
    const client = await python.whenReady;
    catalog = await client.call({ op: "catalog" });
  }
  const home = (boot && boot.home) || {};
  const schema = makeSchema(catalog, home.landscape && home.landscape.surface);
  const parsed = parseQuery(location.search, schema, { passthrough: PASSTHROUGH });
  setText("notice", describeIgnored(parsed.ignored));
  if (parsed.state.embed) document.documentElement.classList.add("embed");

  const store = createStore(schema, parsed.state);
  const form = $("controls");
  form.addEventListener("submit", (e) => e.preventDefault());
  fillSelect($("surface"), [...schema.surfaces.values()].map((s) => [s.name, s.title || s.name]));
  fillSelect($("optimizer"), [...schema.optimizers.values()].map((o) => [o.name, o.title || o.name]));
  groupPresets($("preset"), schema);
  $("preset").closest(".field").hidden = schema.lessons.size === 0;
  const binder = bindControls(form, store, makeCodecs(schema));

  const plots = createPlots($("landscape-bg"), $("landscape"), $("curve"), {
    onPick: (point) => {
      const s = schema.surfaces.get(store.get().surface);
      store.change("start", point.map((v, i) => roundTo(v, s.bounds[i])), "pick");
    },
  });

  // --- runs: live, cached, or precomputed -------------------------------------------
  const view = { run: null, cursor: 0, playing: false, approx: false };
  const runCache = new Map();
  const landCache = new Map();
  const bootRuns = (home.runs || []).map(normalizeRun);
  const bootLrs = home.lrs || bootRuns.map((r) => r.lr_base);
  let firstDraw = true;

  function remember(key, run) {
    runCache.set(key, run);
    if (runCache.size > RUN_CACHE_SIZE) runCache.delete(runCache.keys().next().value);
  }

  /** The precomputed run nearest in log(lr) to the state's, if it is the same experiment. */
  function bootRun(state) {
    if (!bootRuns.length) return null;
    const ref = bootRuns[0];
    const refState = {
      surface: ref.surface, optimizer: ref.optimizer, steps: ref.steps,
      start: ref.start, hyper: ref.hyper || state.hyper, extra: {},
    };
    if (!sameButLr(state, refState)) return null;
    let best = 0;
    for (let i = 1; i < bootRuns.length; i++) {
      const lr = bootLrs[i] ?? bootRuns[i].lr_base;
      if (Math.abs(Math.log(lr / state.lr)) < Math.abs(Math.log((bootLrs[best] ?? bootRuns[best].lr_base) / state.lr))) best = i;
    }
    return bootRuns[best];
  }

  function requestRun(state) {
    if (codeLab && codeLab.active) { codeLab.request(state); return; }
    const msg = runMessage(state);
    const key = JSON.stringify(msg);
    const hit = runCache.get(key);
    if (hit) { showRun(hit, false); return; }
    if (python.ready) {
      python.client.latest("run", msg).then((res) => {
        if (res === null || res === undefined) return;      // superseded by a newer request
        if (res.error) { showError(res.error); return; }
        const run = normalizeRun(res);
        remember(key, run);
        if (JSON.stringify(runMessage(store.get())) === key) {
          showRun(run, false);
          prefetchSweep(store.get());
        }
      }, (err) => showError(describe(err)));
      return;
    }
    const approx = bootRun(state);
    if (approx) { showRun(approx, true); return; }
    view.run = null;
    $("status").textContent = "loading …";
    python.start();
  }

  /**
   * Run this experiment at every notch of the slider in one vectorised call (the `sweep`
   * op: K learning rates as one (K, d) run) and cache each row as that notch's run, so
   * dragging the slider redraws from memory. Skipped for schedules and very long runs.
   */
  let sweptKey = null;
  function prefetchSweep(state) {
    if (!python.ready || state.extra.schedule) return;
    const scale = sliderScale(schema.surfaces.get(state.surface));
    const lrs = Array.from({ length: scale.max + 1 }, (_, pos) => scale.toLr(pos));
    const points = lrs.length * (state.steps + 1);
    const rows = schema.surfaces.get(state.surface).n_samples || 0;
    if (points > SWEEP_MAX_POINTS || points * (1 + rows) > SWEEP_MAX_WORK) return;
    const base = runMessage(state);
    const key = JSON.stringify({ ...base, lr: null });
    if (key === sweptKey) return;
    sweptKey = key;
    python.client.latest("sweep", { ...base, op: "sweep", lrs }, { timeLimitMs: SWEEP_TIME_LIMIT_MS }).then((res) => {
      if (!res || res.error || !res.paths || !res.paths.shape) {
        if (sweptKey === key) sweptKey = null;
        return;
      }
      const [k, n, d] = res.paths.shape;
      for (let i = 0; i < k; i++) {
        remember(JSON.stringify({ ...base, lr: lrs[i] }), normalizeRun({
          surface: res.surface, optimizer: res.optimizer, hyper: res.hyper, lr_base: lrs[i],
          steps: state.steps, start: state.start, dim: d,
          path: { shape: [n, d], data: res.paths.data.subarray(i * n * d, (i + 1) * n * d) },
          loss: { shape: [n], data: res.losses.data.subarray(i * n, (i + 1) * n) },
          status: res.status[i], diverged_at: res.diverged_at[i], steps_to_tol: res.steps_to_tol[i],
        }));
      }
    }, () => { if (sweptKey === key) sweptKey = null; });
  }

  function showRun(run, approx) {
    if (run.surface && run.surface !== plots.surfaceName) return;  // drawn again once the surface is up
    const last = run.points.length - 1;
    view.run = run;
    view.approx = approx;
    view.cursor = view.playing ? Math.min(view.cursor, last) : last;
    setText("error", "");
    if (approx) setPythonText(`Python: starting … (meanwhile: the precomputed run at lr ${formatLr(run.lr_base)})`);
    draw().then(() => {
      if (firstDraw) {
        firstDraw = false;
        performance.mark("gdlab:first-draw");
        document.body.dataset.firstDrawMs = String(Math.round(performance.now()));
      }
      if (!approx) postResult(run);
    });
  }

  function statusText(run, k) {
    const parts = [`step ${k}`];
    const p = run.points[k];
    if (p && p.length === 1) parts.push(`w ${formatCoord(p[0])}`);
    parts.push(`loss ${formatLoss(run.losses[k])}`);
    if (run.status === "diverged" && run.diverged_at !== null && run.diverged_at !== undefined) {
      parts.push(`diverged at step ${run.diverged_at}`);
    } else if (run.status) {
      parts.push(run.status);
    }
    return parts.join(" · ");
  }

  function draw() {
    const run = view.run;
    if (!run || !run.points.length) return Promise.resolve();
    $("status").textContent = statusText(run, view.cursor);
    return plots.showRun(run, view.cursor, store.get().steps, frameKey(store.get()));
  }

  function showError(message) {
    setText("error", message);
    $("status").textContent = `error: ${message}`;
  }

  // --- surfaces ---------------------------------------------------------------------
  async function ensureSurface(state) {
    const s = schema.surfaces.get(state.surface);
    if (plots.surfaceName === s.name) return true;
    let land = landCache.get(s.name);
    if (!land && s.dim <= 2) {
      if (home.landscape && home.landscape.surface === s.name) {
        land = home.landscape;
      } else {
        if (!python.ready) $("status").textContent = "loading …";
        python.start();
        const client = await python.whenReady;
        for (let attempt = 0; ; attempt++) {
          try {
            land = await client.call({ op: "landscape", surface: s.name });
            break;
          } catch (err) {
            // Queued behind a call that was stopped (the worker restarted): ask again once.
            if (err && err.reason === "restart" && attempt === 0) continue;
            showError(describe(err));
            return false;
          }
        }
        if (land.error) { showError(land.error); return false; }
      }
      landCache.set(s.name, land);
    }
    if (store.get().surface !== s.name) return false;   // the learner moved on
    // Draw the path in the same pass when it is already known (cache or boot.json).
    const now = store.get();
    const known = runCache.get(JSON.stringify(runMessage(now))) || (!python.ready && bootRun(now));
    if (known) {
      view.run = known;
      view.cursor = known.points.length - 1;
    }
    await plots.showSurface(s, land || null,
      known ? { run: known, cursor: view.cursor, steps: now.steps, key: frameKey(now) } : null);
    $("landscape").dataset.surface = s.name;     // which surface is on screen (tests wait on it)
    performance.mark("gdlab:surface-drawn");
    return true;
  }

  // --- the info panel ---------------------------------------------------------------
  function renderInfo(state) {
    const s = schema.surfaces.get(state.surface);
    const o = schema.optimizers.get(state.optimizer);
    $("formula").textContent = s.formula || s.title || s.name;
    $("equations").textContent = o ? o.equations || o.title : state.optimizer;
    const lesson = state.preset ? schema.lessons.get(state.preset) : null;
    setText("lesson-note", lesson ? lesson.note : "");
    setText("surface-note", s.note || "");
  }

  // --- state changes ----------------------------------------------------------------
  // The address bar follows the state, written at most every 200 ms (browsers throttle
  // history.replaceState, and a drag of the slider fires many changes a second).
  let urlTimer = 0;
  function scheduleUrl() {
    if (urlTimer) return;
    urlTimer = setTimeout(() => {
      urlTimer = 0;
      writeUrl(store.get(), schema, { passthrough: PASSTHROUGH });
      syncCodeParam();
    }, 200);
  }

  async function onState(state, prev, source) {
    if (prev) scheduleUrl(); else writeUrl(state, schema, { passthrough: PASSTHROUGH });
    if (!prev || prev.optimizer !== state.optimizer) {
      renderHyperFields($("hyper"), schema.optimizers.get(state.optimizer));
      $("hyper-fieldset").hidden = !(schema.optimizers.get(state.optimizer)?.hypers || []).length;
    }
    binder.render(state);
    codeLab?.onState(state, prev);
    lessonPanel.onState(state, prev);
    showCustomPick();
    if (!prev || prev.surface !== state.surface || prev.optimizer !== state.optimizer || prev.preset !== state.preset) {
      renderInfo(state);
    }
    if (prev && prev.embed !== state.embed) document.documentElement.classList.toggle("embed", state.embed);
    if (!prev || prev.surface !== state.surface) {
      view.run = null;
      if (!(await ensureSurface(state))) return;
      if (store.get() !== state) { requestRun(store.get()); return; }
    }
    requestRun(state);
  }
  store.subscribe(onState);

  // --- the code pane (loaded after the first draw: CodeMirror is not needed to paint) -----
  let codeLab = null;
  let customRun = false;

  const lessonPanel = createLessonPanel({ section: $("results"), store, schema, python, codeLab: () => codeLab });
  if (!store.get().embed) mountShare($("share"));

  function startCodeLab(parsedQuery) {
    if (store.get().embed) return;   // an embed shows no code pane: do not load the editor
    import("./codelab.js").then(({ createCodeLab, decodeCode }) => {
      codeLab = createCodeLab({
        section: $("code-pane"), store, schema, python, draw: showUserResult,
        notice: (text) => setText("notice", text), onEdit: scheduleUrl,
        embed: store.get().embed, instance: new URLSearchParams(location.search).get("id") || "",
      });
      codeLab.onState(store.get(), null);
      lessonPanel.onState(store.get(), null);   // the Check button lives in the code pane
      const shared = parsedQuery.passthrough && parsedQuery.passthrough.code;
      const raw = shared ?? new URLSearchParams(location.search).get("code");
      if (raw) {
        const code = decodeCode(raw);
        if (code === null) setText("notice", "The code in the link could not be read; the view's own code is shown.");
        else codeLab.showShared(code);
      }
    }, (err) => setText("error", `The code editor could not load: ${describe(err)}`));
  }

  /** The address bar carries the learner's code once it differs from the view's. */
  function syncCodeParam() {
    if (!codeLab) return;
    const url = new URL(location.href);
    const code = codeLab.codeParam();
    if (code) url.searchParams.set("code", code); else url.searchParams.delete("code");
    if (url.href !== location.href) history.replaceState(history.state, "", url);
  }

  /** While the learner's own step() runs, the Optimizer picker says "custom". */
  function showCustomPick() {
    const select = $("optimizer");
    let option = select.querySelector('option[value="custom"]');
    const on = Boolean(codeLab && codeLab.active && customRun);
    if (on && !option) {
      option = document.createElement("option");
      option.value = "custom";
      option.textContent = "custom (your step)";
      select.append(option);
    }
    if (option) option.hidden = !on;
    if (on) select.value = "custom";
  }

  /** A result of the learner's program: its own landscape (new code) and path. */
  async function showUserResult(res, { landscape }) {
    customRun = Boolean(res.custom);
    if (landscape || plots.surfaceName !== "custom") {
      const bounds = res.landscape ? res.landscape.bounds : res.start.map((v) => [v - 1, v + 1]);
      await plots.showSurface({
        name: "custom", title: "Your code", formula: "loss(w) from your code", dim: res.dim,
        bounds, minima: [], start: res.start, log_loss: false, min_loss: null,
      }, res.landscape || null, null);
      $("landscape").dataset.surface = "custom";
    }
    showCustomPick();
    showRun(normalizeRun({ ...res, surface: "custom", lr_base: res.lr }), false);
  }

  // --- Play, Step, Reset ------------------------------------------------------------
  const playButton = $("play");
  function setPlaying(on) {
    view.playing = on;
    playButton.textContent = on ? "Pause" : "Play";
  }
  async function tick() {
    while (view.playing && view.run) {
      const last = view.run.points.length - 1;
      if (view.cursor >= last) break;
      view.cursor += 1;
      const t = performance.now();
      await draw();
      const wait = Math.min(250, Math.max(16, 3000 / Math.max(1, last))) - (performance.now() - t);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    setPlaying(false);
  }
  playButton.addEventListener("click", () => {
    if (view.playing) { setPlaying(false); return; }
    if (!view.run) return;
    if (view.cursor >= view.run.points.length - 1) view.cursor = 0;
    setPlaying(true);
    draw().then(tick);
  });
  $("step").addEventListener("click", () => {
    setPlaying(false);
    if (!view.run) return;
    const last = view.run.points.length - 1;
    view.cursor = view.cursor >= last ? Math.min(1, last) : view.cursor + 1;
    draw();
  });
  $("reset").addEventListener("click", () => {
    setPlaying(false);
    if (!view.run) return;
    view.cursor = 0;
    draw();
  });

  // --- embedding: the parent page may set the state and hears the results -------------
  function postResult(run) {
    if (!embedded) return;
    const k = run.points.length - 1;
    window.parent.postMessage({
      type: "gdlab:result", status: run.status, step: k, loss: run.losses[k],
      diverged_at: run.diverged_at ?? null, lr: run.lr_base, surface: run.surface,
      optimizer: run.optimizer, point: run.points[k],
    }, "*");
  }
  window.addEventListener("message", (event) => {
    if (!embedded || event.source !== window.parent) return;
    const d = event.data;
    if (!d || typeof d !== "object" || d.type !== "gdlab:set") return;
    const params = new URLSearchParams();
    const refused = [];
    for (const [k, v] of Object.entries(d)) {
      if (k === "type") continue;
      if (k === "hyper" && v && typeof v === "object") {
        for (const [hk, hv] of Object.entries(v)) params.set(hk, String(hv));
      } else if (Array.isArray(v)) params.set(k, v.join(","));
      else if (v !== null && typeof v !== "object") params.set(k, String(v));
      else refused.push({ key: k.slice(0, 40), value: "(an object)", reason: "not a plain value" });
    }
    const applied = applyParams(store.get(), params, schema, { passthrough: PASSTHROUGH });
    const state = applied.state;
    const ignored = [...applied.ignored, ...refused];
    setText("notice", ignored.length ? describeIgnored(ignored).replace("from the link", "from the message") : "");
    store.replace(state, "message");
  });

  // --- go ----------------------------------------------------------------------------
  await plotlyReady();
  performance.mark("gdlab:plotly-ready");
  await onState(store.get(), null, "load");
  startCodeLab(parsed);
  python.start();
  python.whenReady.then(() => {
    if (embedded) window.parent.postMessage({ type: "gdlab:ready" }, "*");
    requestRun(store.get());
  }, () => {});
}

/** The experiment apart from its learning rate: runs with the same key share a loss-curve frame. */
function frameKey(state) {
  return JSON.stringify({ ...runMessage(state), lr: null });
}

/** A picked coordinate rounded to about a thousandth of the view's width. */
function roundTo(v, bounds) {
  const width = bounds ? Math.abs(bounds[1] - bounds[0]) : 1;
  const decimals = Math.max(0, 2 - Math.floor(Math.log10(width || 1)));
  return Number(v.toFixed(Math.min(decimals, 12)));
}

main().catch((err) => {
  python.start();
  const status = $("status");
  if (status) status.textContent = `error: ${describe(err)}`;
  setText("error", `The lab could not start: ${describe(err)}`);
});
