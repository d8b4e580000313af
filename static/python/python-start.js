// When and how the page starts Python: a handle that loads the worker on demand.
//
//   const python = createPythonHandle();
//   python.start();                  // ask for Python (idempotent)
//   python.whenReady.then((client) => client.call(...));
//   python.ready                     // true once Python can take calls
//   python.preload = ["numpy.random"] // modules to load as part of the start (set before start())
//
// Several labs on one course page (same-origin iframes share the Web Locks of their
// origin) boot their Pythons one at a time: booting takes both cores of a small
// machine, so four at once make every lab wait for all four. A lab holds the lock
// BOOT from creating its worker until that worker is ready (or failed).
//
// Queue order: first come, first served, except that the lab the learner touches
// first (pointerdown, keydown or focus inside it) jumps the queue: it waits for the
// boot in progress only. Ordinary labs line up on the lock LINE, so at most one of
// them waits on BOOT at a time; a touched lab holds PRIORITY while it asks for BOOT
// directly. An ordinary lab that gets BOOT while some lab holds or waits for PRIORITY
// hands BOOT back at once and waits until PRIORITY is free. Without Web Locks a lab
// starts at once. An embedded lab (in an iframe) out of view does not start Python
// until it comes into view (or is touched).
//
// Embeds of one origin share one Python (a SharedWorker, worker-client.js) for the
// lab's own work: then a lab does not queue at all, since there is one boot for all of
// them (and the first lab to ask starts it). Not shared: a top-level page, an engine
// without SharedWorker, or `?shared=0` (tests and benches run both ways); then each lab
// boots its own dedicated worker through the queue above. A lab whose shared Python fails
// falls back to a worker of its own, quietly.
//
// A top-level page does not queue either: it is the page the learner opened, and the
// worker is created in the same task as start() (worker-client.js is in the page's
// bundle), not after a lock's and a module's round trips, each of which waited behind the
// page's start-up tasks (0.1-0.3 s in WebKitGTK). It holds BOOT while booting, so that
// labs of other tabs wait for it.
//
// On a second visit (this browser's Python was ready here within the last week, so
// Pyodide's files and its compiled WebAssembly are likely cached) the handle asks for
// Python at once instead of after the view file (a top-level page) or the first draw (an
// embed): booting from the cache takes about one core, not both, and the page's first draw
// no longer waits in front of it.
//
// The handle writes its progress into #python-state and marks <body>:
//   data-python            "queued" | "starting" | "ready" | "failed"
//   data-python-ready-ms   performance.now() when ready (this document's clock)
//   data-python-start-at / data-python-ready-at   epoch ms (performance.timeOrigin + now),
//                          comparable across the labs of one page
//   data-python-priority   "1" when this lab jumped the queue
//   data-python-early      "1" when Python was asked for at once (a second visit)
//   data-python-packages   the Python packages loaded, comma-separated
//   data-python-stages     "module:ms,pyodide:ms,numpy:ms,gdlab:ms" since the worker started
//   data-python-calls      how many calls this lab has made to Python (its own work and the
//                          learner's code)
//   data-python-shared     "1" while this lab's own work goes to the shared Python, "0" when
//                          not (a dedicated worker, or after a fallback)

import { createLabPython } from "./worker-client.js";

const LINE = "gdlab:python-line";
const BOOT = "gdlab:python-boot";
const PRIORITY = "gdlab:python-priority";
const BOOT_LOCK_LIMIT_MS = 60000;   // a lab that hangs while booting lets the next one go
const WARM_KEY = "gdlab:python-ready-at";
const WARM_FOR_MS = 7 * 24 * 3600 * 1000;

/** Whether this lab's own work goes to the shared Python: an embed, SharedWorker, not ?shared=0. */
export function sharesPython() {
  return window.parent !== window && typeof SharedWorker === "function"
    && new URLSearchParams(location.search).get("shared") !== "0";
}

/** Python, started on demand: `start()` asks for the worker; `whenReady` resolves to the client. */
export function createPythonHandle() {
  const handle = { client: null, ready: false, whenReady: null, start: () => want(), preload: [] };
  let wanted = false;
  let touched = false;
  let booting = false;
  let line = null;       // AbortController of the ordinary queue, while waiting in it
  let go = null;
  const booted = new Promise((resolve) => { go = resolve; });
  handle.whenReady = booted.then(() => {
    if (handle.client) return handle.client.ready.then(() => handle.client);
    throw new Error("Python did not start");
  });
  markOutcome(handle);
  const view = inView();
  const shared = sharesPython();

  /** Create the worker and resolve once it is ready or failed (the lock is held until then). */
  async function boot() {
    if (booting) return;
    booting = true;
    const t0 = performance.now();
    document.body.dataset.python = "starting";
    document.body.dataset.pythonStartAt = String(Math.round(performance.timeOrigin + t0));
    try {
      handle.client = startWorker(handle.preload, shared);
    } finally {
      go();
    }
    await Promise.race([handle.client.ready.then(() => {
      setPythonText(`Python ready (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }), new Promise((resolve) => setTimeout(resolve, BOOT_LOCK_LIMIT_MS))]).catch(() => {});
  }

  function want() {
    if (wanted) return;
    wanted = true;
    if (!booting) document.body.dataset.python = "queued";
    view.watch().then(() => {
      if (shared) return boot();   // one boot for every lab: nothing to queue for
      if (window.parent === window) return bootNow(boot);
      if (touched) return jump(boot);
      line = new AbortController();
      return queue(boot, line.signal, () => { line = null; });
    });
  }

  /** The learner's first touch: a lab still in the line leaves it and goes next. */
  function touch() {
    if (touched || booting) return;
    touched = true;
    view.show();
    if (!wanted) return;
    if (line) { line.abort(); line = null; jump(boot); }
  }
  for (const type of ["pointerdown", "keydown", "focusin"]) {
    window.addEventListener(type, touch, { capture: true, passive: true });
  }
  window.addEventListener("focus", touch);

  const last = Number(recall(WARM_KEY));
  if (last && Date.now() - last < WARM_FOR_MS) {
    document.body.dataset.pythonEarly = "1";
    want();
  }
  return handle;
}

/** The worker, created. */
function startWorker(preload, shared) {
  const py = createLabPython({
    preload,
    shared,
    onFallback: () => { document.body.dataset.pythonShared = "0"; },
    onWarm: (modules) => { document.body.dataset.pythonWarmed = modules.join(","); },
    onProgress: (p) => setPythonText(`Python: ${describe(p)}`),
    onStatus: (s) => {
      const text = describe(s);
      if (text && !/^ready/i.test(text)) setPythonText(`Python: ${text}`);
    },
    timeLimitMs: 10000,
    onCall: () => { document.body.dataset.pythonCalls = String(Number(document.body.dataset.pythonCalls || 0) + 1); },
  });
  document.body.dataset.pythonShared = py.shared ? "1" : "0";
  return py;
}

/** Mark <body> (and remember a warm start) once Python is ready, or say why it failed. */
function markOutcome(handle) {
  const body = document.body.dataset;
  handle.whenReady.then((client) => {
    remember(WARM_KEY, String(Date.now()));
    handle.ready = true;
    body.python = "ready";
    body.pythonPackages = (client.packages || []).join(",");
    body.pythonStages = Object.entries(client.stages || {}).map(([k, v]) => `${k}:${v}`).join(",");
    body.pythonReadyMs = String(Math.round(performance.now()));
    body.pythonReadyAt = String(Math.round(performance.timeOrigin + performance.now()));
  });
  handle.whenReady.catch((err) => {
    body.python = "failed";
    setPythonText(`Python could not start: ${describe(err)}`);
    console.error(`gdlab: Python could not start: ${describe(err)}`);
  });
}

/**
 * An ordinary lab: one at a time through LINE, then BOOT unless a touched lab waits.
 * `leaving()` is called once this lab boots (from then on a touch changes nothing).
 */
function queue(boot, signal, leaving) {
  const locks = navigator.locks;
  if (!locks) return boot();
  return locks.request(LINE, { signal }, async () => {
    for (;;) {
      const done = await locks.request(BOOT, { signal }, async () => {
        if (await priorityWaiting()) return false;
        leaving();
        await boot();
        return true;
      });
      if (done) return;
      await locks.request(PRIORITY, { mode: "shared", signal }, () => {});
    }
  }).catch((err) => { if (err?.name !== "AbortError") throw err; });
}

/** A top-level page: boots at once, and holds BOOT until ready (other tabs' labs wait). */
function bootNow(boot) {
  const done = boot();
  navigator.locks?.request(BOOT, () => done).catch(() => {});
  return done;
}

/** The touched lab: past the line, after the boot in progress. */
function jump(boot) {
  const locks = navigator.locks;
  if (!locks) return boot();
  document.body.dataset.pythonPriority = "1";
  return locks.request(PRIORITY, () => locks.request(BOOT, () => boot()));
}

async function priorityWaiting() {
  const { held = [], pending = [] } = await navigator.locks.query();
  return [...held, ...pending].some((l) => l.name === PRIORITY);
}

/**
 * `watch()` resolves at once for a top-level page; for an embed, once it is on screen
 * or `show()` is called (a touch). The page is watched only from the first watch(): an
 * IntersectionObserver from start-up would add work to every frame of the first paint.
 */
function inView() {
  let show = () => {};
  const visible = new Promise((resolve) => { show = resolve; });
  let watching = false;
  function watch() {
    if (watching) return visible;
    watching = true;
    if (window.parent === window || typeof IntersectionObserver !== "function") {
      show();
    } else {
      const io = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) show();
      });
      io.observe(document.documentElement);
      visible.then(() => io.disconnect());
    }
    return visible;
  }
  return { watch, show };
}

function recall(key) {
  try { return localStorage.getItem(key); } catch { return null; }  // storage may be blocked
}

function remember(key, value) {
  try { localStorage.setItem(key, value); } catch { /* storage may be blocked */ }
}

export function describe(x) {
  if (x === null || x === undefined) return "";
  if (typeof x === "string") return x;
  if (x instanceof Error) return x.message;
  if (typeof x === "object") return String(x.message ?? x.text ?? x.stage ?? x.state ?? x.status ?? "");
  return String(x);
}

export function setPythonText(text) {
  const el = $("python-state");
  if (el && text) el.textContent = text;
}

const $ = (id) => document.getElementById(id);
