// The lab page: wires the state, the controls, the URL, the runs, the plots and Python.
//
// Data flows one way: a change of the state (controls, URL, code pane, a host page's
// message) -> runs.view(state): the slots to draw (live, preset, kept) -> the plots,
// the Runs table and the status line. Answers from Python only fill the runs' cache
// and ask for a redraw.
//
// Start-up, fastest first: boot.json (the catalog) and the file of the view the link asks
// for (static/views/: its landscape and runs, computed at build time by the same core in
// CPython) draw the page before Python is ready, first as a sketch (sketch.js) and then,
// once Plotly has loaded, with Plotly. Python starts as soon as the view file is in (a
// top-level page) or once the sketch is drawn (an embed).

import { bindControls, fillSelect, makeCodecs, renderHyperFields } from "./state/controls.js";
import { formatCoord, formatLoss } from "./state/format.js";
import { createPlots, normalizeRun } from "./plots/plots.js";
import { canonical, createStore, dimOf, keptSpec, makeSchema, runMessage, sameRun, sliderScale, specState, KEPT_MAX, LIMITS } from "./state/state.js";
import { describeIgnored, parseQuery, plainQuery, writeUrl } from "./state/url.js";
import { createLessonPanel, groupPresets } from "./lab/lessonpanel.js";
import { mountShare } from "./lab/share.js";
import { createPythonHandle, describe, setPythonText } from "./python/python-start.js";
import { createRuns } from "./lab/runs.js";
import { createPrograms } from "./python/program.js";
import { applyLayout } from "./lab/layout.js";
import { createPlayer } from "./lab/player.js";
import { createEmbed, embedded } from "./lab/embed.js";
import { learnerCame, learnerHere } from "./lab/learner.js";
import { createRunTable } from "./lab/runtable.js";
import { mountRunTools } from "./lab/runtools.js";
import { createSweepPlot } from "./plots/sweepplot.js";
import { createSchedulePlot } from "./plots/schedplot.js";
import { bandGradient, bands, regimeAt, valueText } from "./plots/regimes.js";
import { createLines, pointOf, projectRun, sliceMessage, sliceSurface } from "./plots/slice.js";
import { createLinePlot } from "./plots/lineplot.js";
import { createNetView } from "./lab/netview.js";

const $ = (id) => document.getElementById(id);

const python = createPythonHandle();
const fetchJson = (url) => fetch(url).then((r) => (r.ok ? r.json() : null)).catch(() => null);
const bootData = fetchJson("static/boot.json");
const viewData = fetchJson(`static/views/${viewFile(new URLSearchParams(location.search))}.json`);

// A top-level page creates its worker as soon as the view file is in (it says which modules
// to preload), before the first draw. After the first draw, as it was, the worker came
// 0.3-0.6 s after the navigation in WebKitGTK (the floor's at once): the page's start-up
// tasks (the sketch, then the code pane) ran first, and in WebKit a worker's script loads
// on the page's main thread. An embed still starts Python once its
// sketch is drawn: a course page's labs share one main thread for their first paints.
viewData.then((home) => { setPreload(home); if (!embedded) python.start(); });

/** A view whose own program draws random numbers has numpy.random loaded with Python
 * (a lazy archive: otherwise its first Run code would wait for it). */
function setPreload(home) {
  const programs = (home && home.programs) || [];
  if (programs.some((p) => /\b(np|numpy)\.random\b/.test(p.program || ""))) python.preload = ["numpy.random"];
}

/** The file of the view a link asks for (computed at build time; see py/gdlab/views.py). */
function viewFile(query) {
  const name = (key) => (/^[a-z0-9-]{1,60}$/.test(query.get(key) || "") ? query.get(key) : null);
  if (name("preset")) return `preset-${name("preset")}`;
  if (name("surface")) return `surface-${name("surface")}`;
  return "home";
}

/**
 * Plotly, a classic script: fetched and run only at its turn (plotlyTurn). Its start
 * takes a few hundred ms of the main thread, which the labs of one course page share;
 * and fetching it earlier (a preload from index.html, or once the sketch is painted)
 * has the browser parse its 1.5 MB on the other core while the page paints and Python
 * boots: on a course page of four labs that made the last first paint about 70 ms and
 * the first Python about 250 ms later (bench_page's course page, A/B).
 */
function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "static/vendor/plotly.min.js";
    script.addEventListener("load", () => resolve(window.Plotly));
    script.addEventListener("error", () => reject(new Error("the plotting library did not load")));
    document.head.append(script);
  });
}

/**
 * When to start Plotly, whose start takes the main thread for a few hundred ms (and the
 * course page's other labs with it, same-origin frames share one): once this lab's Python
 * is ready (booting it takes both cores of a small machine) or failed, at the learner's
 * first touch, or after PLOTLY_WAIT_MS; then after a paint. Until then the sketch shows.
 *
 * An embed (in a frame) starts Plotly only when the learner comes to it (learner.js: the
 * pointer over it, a tap, a key, the focus, a wheel). Until then its sketch (the same
 * figure, no hover) stays: Plotly costs each frame about 15 MB (its code, heap and SVG), and on a course page
 * of several labs the learner uses one or two of them. Nothing else waits for it: the
 * sketch redraws on every change, Python's answers included.
 *
 * After Python is ready Plotly waits PLOTLY_AFTER_READY_MS more (a touch cuts it short): a
 * learner who was waiting for Python presses Run code within about a second, and their
 * answer should not wait behind Plotly's script (learnerFirst holds Plotly back while their
 * program runs, but cannot stop a script already being run).
 *
 * PLOTLY_WAIT_MS is only a backstop. At 4 s, as it was, Plotly's start fell in the middle
 * of the boot wherever Python takes longer (Firefox, WebKit, a slow machine) and took a
 * core from it: Firefox's Python ready / floor went from a median 1.36-1.53x to
 * 0.89-1.38x with Plotly after Python (bench_engines' floor, a loaded 2-core machine).
 */
function plotlyTurn(python) {
  if (embedded) return learnerCame.then(afterPaint);
  // a touch anywhere but in the code pane: a press of Run code (its pointerdown comes before
  // the click that runs the program) or typing there is no call for Plotly
  const touched = new Promise((resolve) => {
    const go = (event) => {
      if (event.target instanceof Element && event.target.closest("#code-pane")) return;
      for (const type of ["pointerdown", "keydown"]) window.removeEventListener(type, go, true);
      resolve();
    };
    for (const type of ["pointerdown", "keydown"]) window.addEventListener(type, go, { capture: true, passive: true });
  });
  const waited = new Promise((resolve) => setTimeout(resolve, PLOTLY_WAIT_MS));
  const afterReady = python.whenReady.then(() => new Promise((resolve) => setTimeout(resolve, PLOTLY_AFTER_READY_MS)));
  return Promise.race([afterReady, touched, waited]).catch(() => {}).then(afterPaint);
}
const PLOTLY_WAIT_MS = 20000;
const PLOTLY_AFTER_READY_MS = 1000;

/** After the next paint, and once the main thread is idle (or 300 ms later). */
function afterPaint() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => {
    if (window.requestIdleCallback) requestIdleCallback(resolve, { timeout: 300 });
    else resolve();
  }, 0)));
}

function setText(id, text) {
  const el = $(id);
  el.textContent = text || "";
  el.hidden = !text;
}

/** The status line: step, w (1-D), loss and the status word of the live run. */
function statusText(run, k) {
  const parts = [`step ${k}`];
  const p = run.points[k];
  if (p && p.length === 1) parts.push(`w ${formatCoord(p[0])}`);
  parts.push(`loss ${formatLoss(run.losses[k])}`);
  if (run.status === "diverged" && run.diverged_at !== null && run.diverged_at !== undefined) {
    parts.push(`diverged at step ${run.diverged_at}`);
  } else if (run.partial) {
    parts.push(`training: ${run.points.length - 1} of ${run.partial.of} steps so far`);
  } else if (run.status) {
    parts.push(run.status);
  }
  return parts.join(" · ");
}

/** The catalog: from boot.json, or from Python when there is none. */
async function loadCatalog(boot) {
  if (boot && boot.catalog) return boot.catalog;
  $("status").textContent = "loading …";
  python.start();
  const client = await python.whenReady;
  return client.call({ op: "catalog" });
}

/** The state, the schema, the controls and the store, from the catalog and the URL. */
function setupState(catalog, homeSurface) {
  const schema = makeSchema(catalog, homeSurface);
  $("steps").max = String(LIMITS.steps_max);
  const parsed = parseQuery(location.search, schema, { passthrough: schema.passthrough });
  $("lr-scale").textContent = `log scale: each notch × ${(10 ** (1 / catalog.slider.per_decade)).toFixed(2)}`;
  setText("notice", describeIgnored(parsed.ignored));
  if (parsed.state.embed) document.documentElement.classList.add("embed");
  const store = createStore(schema, parsed.state);
  const form = $("controls");
  form.addEventListener("submit", (e) => e.preventDefault());
  fillSelect($("surface"), [...schema.surfaces.values()].map((s) => [s.name, s.title || s.name]));
  fillSelect($("optimizer"), [...schema.optimizers.values()].map((o) => [o.name, o.title || o.name]));
  groupPresets($("preset"), schema);
  fillSelect($("schedule"), [...schema.schedules.values()].map((o) => [o.name, o.title || o.name]));
  $("schedule-fieldset").hidden = schema.schedules.size === 0;
  $("preset").closest(".field").hidden = schema.lessons.size === 0;
  const binder = bindControls(form, store, makeCodecs(schema), schema);
  return { schema, parsed, store, binder };
}

/** A picked coordinate rounded to about a thousandth of the view's width. */
function roundTo(v, bounds) {
  const width = bounds ? Math.abs(bounds[1] - bounds[0]) : 1;
  const decimals = Math.max(0, 2 - Math.floor(Math.log10(width || 1)));
  return Number(v.toFixed(Math.min(decimals, 12)));
}

/**
 * The surface's landscape, drawn once per surface (from boot.json, a cache or Python); a
 * surface with more than two weights shows a slice through the live run (slice.js): the
 * view file's first, then Python's for the live run once the slider rests.
 */
function createSurfaces({ schema, store, plots, home, showError, redraw }) {
  const cache = new Map();
  const slices = createSlices({ schema, store, plots, home, redraw });

  async function fetchLandscape(name) {
    if (!python.ready) $("status").textContent = "loading …";
    python.start();
    const client = await python.whenReady;
    for (let attempt = 0; ; attempt++) {
      try {
        return await client.call({ op: "landscape", surface: name });
      } catch (err) {
        // Queued behind a call that was stopped (the worker restarted): ask again once.
        if (!(err && err.reason === "restart" && attempt === 0)) throw err;
      }
    }
  }

  /** True when the state's surface is on screen (drawn now if it was not). */
  async function ensure(state) {
    const s = schema.surfaces.get(state.surface);
    if (s.dim > 2) return slices.ensure(s, state);
    slices.leave();
    if (plots.surfaceName === s.name) return true;
    let land = cache.get(s.name);
    if (!land && s.dim <= 2) {
      try {
        land = home.landscape && home.landscape.surface === s.name ? home.landscape : await fetchLandscape(s.name);
      } catch (err) {
        showError(describe(err));
        return false;
      }
      if (land.error) { showError(land.error); return false; }
      cache.set(s.name, land);
    }
    if (store.get().surface !== s.name) return false;   // the learner moved on
    return drawSurface(plots, s, land || null, showError);
  }
  return { ensure, project: slices.project, pick: slices.pick, showLines: slices.showLines };
}

/** Draw a surface's landscape (a sketch is drawn in the next frame with the runs' sketches). */
async function drawSurface(plots, s, land, showError) {
  const drawn = plots.showSurface(s, land).then(() => {
    $("landscape").dataset.surface = s.name;   // which surface is on screen (tests wait on it)
    performance.mark("gdlab:surface-drawn");
  });
  if (!plots.sketching) await drawn; else drawn.catch((err) => showError(describe(err)));
  return true;
}

const SLICE_REST_MS = 300;   // the plane follows the live run once the slider rests this long

/** The slice on screen for a d > 2 surface, and the runs projected on its plane. */
function createSlices({ schema, store, plots, home, redraw }) {
  let plane = null;          // sliceSurface(...) on screen, or null
  let planeOf = "";          // the live run's key it was computed for
  let timer = 0;
  const keyOf = (state) => canonical(sliceMessage(state));
  const lines = createLines({ python, redraw });
  let linesShown = false;
  const linePlot = createLinePlot($("line-plot"));

  async function show(s, answer, key, state) {
    plane = sliceSurface(s, answer);
    planeOf = key;
    lines.remember(state, plane.line);
    const caption = $("slice-caption");
    caption.textContent = plane.caption;
    caption.hidden = false;
    $("landscape").dataset.slice = answer.slice;
    await drawSurface(plots, plane.surface, plane.landscape, () => {});
  }

  /** Python's slice of the live run, once the slider rests; drawn if still wanted. */
  function follow(s, state) {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const key = keyOf(state);
      if (key === planeOf || !python.ready) return;
      const answer = await python.client.latest("slice", sliceMessage(state)).catch(() => null);
      if (!answer || answer.error || store.get().surface !== s.name || keyOf(store.get()) !== key) return;
      await show(s, answer, key, state);
      redraw();
    }, SLICE_REST_MS);
  }

  async function ensure(s, state) {
    if (!plane || plane.surface.name !== s.name) {
      const early = home.slice && home.slice.surface === s.name ? home.slice : null;
      const spec = early && specState(schema, early.spec);
      if (early) await show(s, early, keyOf(spec), spec);
      else if (plots.surfaceName !== s.name) { leave(); await drawSurface(plots, s, null, () => {}); }
    }
    python.whenReady.then(() => follow(s, state), () => {});
    return true;
  }

  function leave() {
    if (!plane && !planeOf) return;   // nothing of a slice on screen (every 2-D notch comes here)
    plane = null;
    planeOf = "";
    $("slice-caption").hidden = true;
    delete $("landscape").dataset.slice;
    linePlot.show(null);
  }

  return {
    ensure, leave,
    showLines: (slots) => { if (plane || linesShown) linePlot.show(plane ? lines.of(slots) : null); linesShown = Boolean(plane); },
    project: (run) => (plane ? projectRun(run, plane) : run),
    pick: (point) => (plane ? pointOf(plane, point) : point),
  };
}

/** The info panel: the loss's formula, the update's equations and the notes. */
function renderInfo(schema, state) {
  const s = schema.surfaces.get(state.surface);
  const o = schema.optimizers.get(state.optimizer);
  $("formula").textContent = s.formula || s.title || s.name;
  $("equations").textContent = o ? o.equations || o.title : state.optimizer;
  const lesson = state.preset ? schema.lessons.get(state.preset) : null;
  setText("lesson-note", lesson ? lesson.note : "");
  setText("surface-note", s.note || "");
}

/**
 * The learning rate as a landscape: the sweep plot, the regime bands under the slider
 * and the slider's spoken value, and the schedule plot.
 */
function createLrViews({ schema, store, runs }) {
  const sweepPlot = createSweepPlot($("sweep"), $("sweep-note"), {
    onPick: (lr) => store.change("lr", lr, "sweep"),
  });
  const schedPlot = createSchedulePlot($("schedule-plot"));
  let banded = null;

  // The sweep plot follows the slider a moment after the path and the loss curve: its
  // marker and threshold labels are a relayout, which would double the cost of a scrub.
  let sweepTimer = 0;
  function showSweep() {
    sweepTimer = 0;
    const state = store.get();
    const s = schema.surfaces.get(state.surface);
    const sweep = plotsCustom() ? null : runs.sweepOf(state);
    sweepPlot.show(sweep, state.lr, { lossLog: Boolean(s.log_loss) && Number.isFinite(s.min_loss), minLoss: s.min_loss });
  }

  function update(live, cursor) {
    const state = store.get();
    const s = schema.surfaces.get(state.surface);
    const sweep = plotsCustom() ? null : runs.sweepOf(state);
    clearTimeout(sweepTimer);
    sweepTimer = setTimeout(showSweep, 120);
    const range = $("lr-range");
    const regime = sweep ? regimeAt(sweep, state.lr) : null;
    range.setAttribute("aria-valuetext", valueText(state.lr, regime));
    if (banded !== sweep) {
      banded = sweep;
      const scale = sliderScale(s);
      $("lr-bands").style.background = sweep ? bandGradient(bands(sweep, scale.toPos, scale.max), scale.max) : "";
      $("lr-bands").title = sweep ? "what runs do at each learning rate (from the sweep)" : "";
    }
    schedPlot.show(live && live.run, cursor);
  }
  const plotsCustom = () => $("landscape").dataset.surface === "custom";
  return { update, cursor: (live, cursor) => schedPlot.show(live && live.run, cursor) };
}

/** The view: runs -> plots, table and status line. Returns { draw, refresh }. */
function createView({ schema, store, plots, runs, embed, project = (run) => run, showLines = () => {},
  showBoundary = () => {} }) {
  const lrViews = createLrViews({ schema, store, runs });
  const hidden = new Set();
  let slots = [];
  let firstDraw = true;
  let posted = null;
  let runsShown = [];
  const table = createRunTable($("runs-table"), {
    onHighlight: (id) => plots.highlight(id),
    onToggle: (id, hide) => { if (hide) hidden.add(id); else hidden.delete(id); refresh(); },
  });
  const player = createPlayer({
    playButton: $("play"), stepButton: $("step"), resetButton: $("reset"), draw,
    length: () => Math.max(0, ...shown().map((s) => s.run.points.length - 1)),
  });
  const shown = () => slots.filter((s) => s.run && s.run.points.length && !hidden.has(s.id));
  const live = () => slots.find((s) => s.live) || null;

  function draw() {
    const l = live();
    if (l && l.run && l.run.points.length) {
      $("status").textContent = statusText(l.run, Math.min(player.cursor, l.run.points.length - 1));
    }
    const state = store.get();
    lrViews.cursor(l, player.cursor);
    const slots = shown();
    // on a slice, the runs as (α, β) on its plane; else the slots as they are
    const drawn = slots.some((slot) => project(slot.run) !== slot.run)
      ? slots.map((slot) => ({ ...slot, run: project(slot.run) })) : slots;
    showLines(slots);
    showBoundary(l, player.cursor);
    return plots.showRuns(drawn, player.cursor, { steps: state.steps, key: frameKey(state) });
  }

  function refresh() {
    if (plots.surfaceName !== store.get().surface && plots.surfaceName !== "custom") return Promise.resolve();
    slots = runs.view(store.get());
    const l = live();
    setText("error", runs.liveError);
    if (runs.liveError) $("status").textContent = `error: ${runs.liveError}`;
    else if (!l.run) $("status").textContent = "loading …";
    if (runs.approx) setPythonText("Python: starting … (meanwhile: the precomputed run nearest this lr)");
    $("runs").hidden = slots.length < 2 && store.get().embed;
    table.render(slots, hidden);
    // New runs on screen show their end (unless playing); the same runs keep the cursor.
    const runsNow = shown().map((s) => s.run);
    if (runsNow.length !== runsShown.length || runsNow.some((r, i) => r !== runsShown[i])) {
      player.follow(Math.max(0, ...runsNow.map((r) => r.points.length - 1)));
    }
    runsShown = runsNow;
    renderLegend(shown());
    lrViews.update(l, player.cursor);
    return draw().then(() => {
      if (firstDraw && l.run) {
        firstDraw = false;
        performance.mark("gdlab:first-draw");
        document.body.dataset.firstDrawMs = String(Math.round(performance.now()));
      }
      if (l.run && !runs.approx && !l.run.partial && posted !== l.run) { posted = l.run; embed.result(l.run); }
      if (!plots.sketching) $("runs").dataset.drawn = String(shown().length);   // drawn by Plotly
      // runs still waiting for Python's numbers (none yet, the last run standing in, a
      // precomputed stand-in, a head)
      $("runs").dataset.pending = String(slots.filter((s) => !s.run || s.borrowed || s.run.early || s.run.projected
        || s.run.partial).length);
    });
  }
  return { refresh, draw, slots: () => shown(), live, player };
}

/** The legend over the plots: each drawn run's colour and label (when there are several). */
function renderLegend(slots) {
  const ul = $("legend");
  ul.replaceChildren(...(slots.length < 2 ? [] : slots.map((s) => {
    const li = document.createElement("li");
    const sw = document.createElement("span");
    sw.className = s.dash ? "swatch dotted" : "swatch";
    sw.style.background = s.color;
    li.append(sw, document.createTextNode(s.label));
    return li;
  })));
  ul.hidden = slots.length < 2;
}

/** The experiment apart from its learning rate: runs with the same key share a loss-curve frame. */
function frameKey(state) {
  return JSON.stringify({ ...runMessage(state), lr: null });
}

/** The code pane (loaded after the first draw: CodeMirror is not needed to paint). */
function startCodeLab(lab) {
  const { store, schema, parsed } = lab;
  if (store.get().embed) return;   // an embed shows no code pane: do not load the editor
  import("./code/codelab.js").then(({ createCodeLab, decodeCode }) => {
    lab.codeLab = createCodeLab({
      section: $("code-pane"), store, schema, python, draw: (res, opts) => showUserResult(lab, res, opts),
      notice: (text) => setText("notice", text), onEdit: lab.scheduleUrl,
      embed: false, instance: new URLSearchParams(location.search).get("id") || "",
      programs: lab.programs,
    });
    lab.codeLab.onState(store.get(), null);
    lab.lessonPanel.onState(store.get(), null);   // the Check button lives in the code pane
    const raw = (parsed.passthrough && parsed.passthrough.code) ?? new URLSearchParams(location.search).get("code");
    if (raw) {
      const code = decodeCode(raw);
      if (code === null) setText("notice", "The code in the link could not be read; the view's own code is shown.");
      else lab.codeLab.showShared(code);
    }
  }, (err) => setText("error", `The code editor could not load: ${describe(err)}`));
}

/** While the learner's own step() runs, the Optimizer picker says "custom". */
function showCustomPick(lab) {
  const select = $("optimizer");
  let option = select.querySelector('option[value="custom"]');
  const on = Boolean(lab.codeLab && lab.codeLab.active && lab.customRun);
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
async function showUserResult(lab, res, { landscape }) {
  const { plots } = lab;
  lab.customRun = Boolean(res.custom);
  if (landscape || plots.surfaceName !== "custom") {
    const bounds = res.landscape ? res.landscape.bounds : res.start.map((v) => [v - 1, v + 1]);
    await plots.showSurface({
      name: "custom", title: "Your code", formula: "loss(w) from your code", dim: res.dim,
      bounds, minima: [], start: res.start, log_loss: false, min_loss: null,
    }, res.landscape || null);
    $("landscape").dataset.surface = "custom";
  }
  showCustomPick(lab);
  lab.runs.setUser(normalizeRun({ ...res, surface: "custom" }));
  lab.view.refresh();
}

/** The address bar carries the learner's code once it differs from the view's. */
function syncCodeParam(lab) {
  if (!lab.codeLab) return;
  const url = new URL(location.href);
  const code = lab.codeLab.codeParam();
  if ((url.searchParams.get("code") || "") === (code || "")) return;
  if (code) url.searchParams.set("code", code); else url.searchParams.delete("code");
  url.search = plainQuery(url.searchParams);   // (as url.js writes it: start=1,2, not %2C)
  if (url.href !== location.href) history.replaceState(history.state, "", url);
}

/**
 * Batch size and Seed on data problems, with the mini-batch gradient's variance at the
 * start: measured by the core over seeded draws, beside its closed form.
 */
function showBatch(schema, state) {
  const n = schema.surfaces.get(state.surface).n_samples || 0;
  $("batch-row").hidden = !n;
  $("batch-help").hidden = !n;
  $("batch-size").max = String(n);
  const range = n ? `1 to ${n}; ${n} is the full batch (every row at every step).` : "";
  $("batch-help").textContent = range;
  const b = state.extra.batch_size;
  if (!n || !b) return;
  python.start();
  python.whenReady.then((client) => client.call({ ...runMessage(state), op: "variance" }, { background: true })).then((v) => {
    const now = python.ready && showBatch.latest === state;
    if (!now || v.error) return;
    $("batch-help").textContent = `${range} Gradient variance at the start, batch ${v.batch_size}: `
      + `${v.measured.toPrecision(3)} measured over ${v.draws} seeded batches; closed form `
      + `tr(Σ)/B·(n−B)/(n−1) = ${v.closed_form.toPrecision(3)}.`;
  }, () => {});
  showBatch.latest = state;
}

/** Everything that follows a change of the state. */
async function onState(lab, state, prev) {
  const { schema, store, binder, view, surfaces } = lab;
  if (prev && (prev.embed !== state.embed || prev.controls !== state.controls)) applyLayout(state);
  if (prev) lab.scheduleUrl(); else writeUrl(state, schema, { passthrough: lab.schema.passthrough });
  if (!prev || prev.optimizer !== state.optimizer) {
    renderHyperFields($("hyper"), schema.optimizers.get(state.optimizer));
    $("hyper-fieldset").hidden = !(schema.optimizers.get(state.optimizer)?.hypers || []).length;
  }
  if (!prev || prev.extra.schedule !== state.extra.schedule) {
    const name = state.extra.schedule ? (state.extra.schedule.name || state.extra.schedule) : "constant";
    if (!prev || (prev.extra.schedule?.name || prev.extra.schedule || "constant") !== name) {
      renderHyperFields($("schedule-params"), schema.schedules.get(name), "schedule");
    }
  }
  const network = Boolean(schema.surfaces.get(state.surface).network);
  $("net-fieldset").hidden = !network;
  $("start").disabled = network;
  $("start-help").textContent = network ? "a network starts from its init seed's weights" : "or click the landscape";
  document.documentElement.classList.toggle("net", network);
  $("slice-fieldset").hidden = dimOf(schema, state) <= 2;
  $("slice-seed").disabled = state.slice !== "random";
  $("axes").disabled = state.slice !== "coords";
  if (!prev || prev.surface !== state.surface || prev.extra.batch_size !== state.extra.batch_size
      || prev.extra.seed !== state.extra.seed) showBatch(schema, state);
  binder.render(state);
  lab.codeLab?.onState(state, prev);
  if (lab.codeLab && !lab.codeLab.active) lab.runs.setUser(null);
  lab.lessonPanel.onState(state, prev);
  showCustomPick(lab);
  if (!prev || prev.surface !== state.surface || prev.optimizer !== state.optimizer || prev.preset !== state.preset) {
    renderInfo(schema, state);
  }
  if (prev && prev.embed !== state.embed) document.documentElement.classList.toggle("embed", state.embed);
  $("clear-kept").disabled = !state.kept.length;
  if (lab.codeLab && lab.codeLab.active) { lab.codeLab.request(state); return; }
  if (!(await surfaces.ensure(state))) return;
  if (store.get() !== state) return;           // a newer change draws
  await view.refresh();
}

async function main() {
  const [boot, early] = await Promise.all([bootData, viewData]);
  const catalog = await loadCatalog(boot);
  const home = early || {};
  const lab = setupState(catalog, boot && boot.home);
  // The code pane's programs: one cache for the pane and the notebook download.
  lab.python = python;
  lab.programs = createPrograms({ schema: lab.schema, python, early: home.programs || [] });
  const { schema, store } = lab;
  const showError = (message) => { setText("error", message); $("status").textContent = `error: ${message}`; };
  lab.plots = createPlots($("landscape-bg"), $("landscape"), $("curve"), {
    onPick: (picked) => {
      const s = schema.surfaces.get(store.get().surface);
      if (s.network) {   // its start is its init seed's: d weights would not fit a link
        setText("notice", "A network starts from its init seed's weights: change Init seed (Settings, Network) to start elsewhere.");
        return;
      }
      const point = lab.surfaces.pick(picked);   // on a slice: the d weights at (α, β)
      store.change("start", point.map((v, i) => roundTo(v, s.bounds[i])), "pick");
    },
  });
  lab.embed = createEmbed({ store, schema, passthrough: lab.schema.passthrough, notice: (t) => setText("notice", t) });
  lab.runs = createRuns({ schema, python, view: home, onChange: () => lab.view.refresh(), background: learnerHere });
  // an embed's sweep waits for the learner: once they come after Python is ready, ask again
  if (embedded) learnerCame.then(() => python.ready && lab.view.refresh());
  const netView = createNetView({ schema, python, home, redraw: () => lab.view.draw() });
  lab.view = createView({ ...lab, embed: lab.embed, project: (run) => lab.surfaces.project(run),
    showLines: (slots) => lab.surfaces.showLines(slots), showBoundary: netView.show });
  lab.surfaces = createSurfaces({ schema, store, plots: lab.plots, home, showError,
    redraw: () => lab.view.refresh() });
  lab.lessonPanel = createLessonPanel({ section: $("results"), store, schema, python, codeLab: () => lab.codeLab,
    view: home });
  lab.codeLab = null;
  let urlTimer = 0;
  // The address bar follows the state, written at most every 200 ms (browsers throttle
  // history.replaceState, and a drag of the slider fires many changes a second).
  lab.scheduleUrl = () => {
    if (urlTimer) return;
    urlTimer = setTimeout(() => {
      urlTimer = 0;
      writeUrl(store.get(), schema, { passthrough: lab.schema.passthrough });
      syncCodeParam(lab);
    }, 200);
  };
  mountRunTools(lab, { keptMax: KEPT_MAX, keptSpec, sameRun, setText });
  if (!store.get().embed) mountShare($("share"));
  store.subscribe((state, prev) => onState(lab, state, prev));

  await onState(lab, store.get(), null);     // a sketch (Plotly is not loaded yet)
  python.start();
  python.whenReady.then((client) => {         // gdlab:ready means Python, not Plotly
    if (embedded) lab.embed.ready();
    // a lab page warms numpy.random once Python is idle (an embed: when the learner turns to its code)
    else client.warmCode();
    lab.view.refresh();
  }, () => {});
  afterPaint().then(() => startCodeLab(lab));
  // Download PNG waits for it (an untouched embed starts Plotly on that press)
  lab.plotted = showPlotly(lab);
  lab.plotted.catch((err) => { if (!err.plotlyMissing) failed(err); });
}

/**
 * Plotly's start and its first figures take the main thread for a few hundred ms: a
 * learner's program running (Run code, Check: pressed the moment Python is ready, say)
 * is answered and painted first.
 */
async function learnerFirst() {
  const client = python.client;
  while (client && client.learnerBusy && client.learnerBusy()) {
    await client.learnerIdle();
    await afterPaint();
  }
}

/** Plotly at its turn (plotlyTurn), then its figures in place of the sketches. */
async function showPlotly(lab) {
  await plotlyTurn(python);
  await learnerFirst();
  try {
    await loadPlotly();
  } catch (err) {   // the lab goes on with its sketches, which redraw on every change
    setText("notice", `${describe(err)}: the plots stay sketches (no hover, no sweep plot, no PNG).`);
    throw Object.assign(err, { plotlyMissing: true });
  }
  performance.mark("gdlab:plotly-ready");
  await learnerFirst();
  await lab.plots.upgrade();
  await lab.view.refresh();
  document.body.dataset.plotlyMs = String(Math.round(performance.now()));   // Plotly's figure is up
}

function failed(err) {
  python.start();
  const status = $("status");
  if (status) status.textContent = `error: ${describe(err)}`;
  setText("error", `The lab could not start: ${describe(err)}`);
}

main().catch(failed);
