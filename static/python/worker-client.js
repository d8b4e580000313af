// The one module that owns the Python worker (static/py-worker.js; its header lists
// the message schema). The page talks to Python only through the object made here:
//
//   const py = createPython({ onProgress, onStatus, timeLimitMs, preload });
//                                         // preload: modules loaded as part of the start
//   await py.ready;                       // resolves when Python can take calls
//   const value = await py.call(msg, { timeLimitMs, background, onStart });   // one bridge call
//   const value = await py.latest("run", msg, options);  // slider traffic: one in flight per
//                                         // channel, the newest waiting call wins and
//                                         // the ones it replaces resolve to null
//   py.restart("why")                     // terminate and start a fresh worker
//   py.state                              // "loading" | "ready" | "restarting" | "failed"
//   py.packages, py.stages                // the Python packages loaded, ms of each start-up step
//   lab.learnerBusy(), await lab.learnerIdle()   // (createLabPython) a learner's call in flight;
//                                         // once none is
//
// Calls go to the worker one at a time. The learner's go first: a call marked
// `background` (a lesson's facts, a sweep, a variance) waits while any other call is
// queued, and until Python has had no other call for BACKGROUND_AFTER_MS (from ready
// on), so a learner who acts at once never finds the lab's own work in the way. A call's time limit counts its own time only: it starts when Python starts on
// it (never while it waits its turn) and stands still while a module's lazy archive
// loads (the worker's "clock" messages). `onStart(meter)` is called when Python starts
// on it: meter.ms() is its own time so far, meter.loading() the module loading, or "".
// A call that outlives its limit, or a worker that dies, restarts the worker: that call
// is rejected with an Error whose `reason` is "timeout" or "crash" (and `loading`, the
// module that was loading, if any), the calls queued behind it with reason "restart",
// and `ready` is replaced by the new worker's ready-promise.
//
// Shared (`createPython({shared: true})`, the embeds of one origin): the worker is a
// SharedWorker that every lab of the origin talks to over its own port, where calls of
// all labs wait in one queue, the learner's first. A call's meter then starts on the
// worker's "start" message, not when it is sent. If the shared Python fails to start,
// does not start within SHARED_BOOT_LIMIT_MS, leaves a call unstarted for
// SHARED_WAIT_LIMIT_MS, or a call outlives its limit, the lab quietly falls back to a
// dedicated worker of its own (py.shared becomes false): the calls waiting are sent
// there (the one that outlived its limit is rejected, as above).
//
//   const py = createLabPython({ shared, preload, ... });   // what a lab uses
// gives the same API; when shared, the learner's own code (ops in LEARNER_OPS) goes to a
// dedicated worker of this lab, started on its first such call or by py.warmCode(), and
// py.restart (Stop) restarts that worker only. py.warmCode() (the learner turned to the
// code, or a lab page's Python is idle) imports WARM as background work in whichever worker
// runs the learner's code, and again after each of its restarts; onWarm(modules) hears it.

const BACKGROUND_AFTER_MS = 1500;
const SHARED_BOOT_LIMIT_MS = 60000;
const SHARED_WAIT_LIMIT_MS = 30000;
export const LEARNER_OPS = new Set(["user", "check"]);
// what warmCode() loads ahead of the learner's code: numpy.random's archive and shared
// libraries (0.7 s on a fast machine, 4x that on a slow one) are the cost of a first np.random
const WARM = ["numpy.random"];

/**
 * A call's own time: runs while Python works on it, stands still while a module loads.
 * `waiting`: it starts only on begin() (a shared worker's "start" message).
 */
export function createMeter(limit, onOver, { waiting = false } = {}) {
  let used = 0;
  let since = performance.now();
  let loading = "";
  let started = !waiting;
  let timer = started ? setTimeout(onOver, limit) : 0;
  return {
    ms: () => (started ? used + (loading ? 0 : performance.now() - since) : 0),
    loading: () => loading,
    begin() {
      if (started) return;
      started = true;
      since = performance.now();
      timer = setTimeout(onOver, limit);
    },
    /** The worker's clock message: a lazy load started (module) or ended (""). */
    load(module) {
      if (!started) return;
      if (Boolean(module) === Boolean(loading)) { loading = module || loading; return; }
      clearTimeout(timer);
      if (module) {
        used += performance.now() - since;
        loading = module;
      } else {
        loading = "";
        since = performance.now();
        timer = setTimeout(onOver, Math.max(0, limit - used));
      }
    },
    stop: () => clearTimeout(timer),
  };
}

/**
 * The calls, one at a time, the learner's first: each waits its turn, and its time limit
 * counts its own time (createMeter); past it, onTimeout(why) restarts the worker.
 * send(message) posts to the worker, isReady() says whether it takes calls. When
 * waitStart() is true (a shared worker), a call's meter starts on the worker's "start"
 * message, and a call not started while the worker says nothing for waitLimitMs calls
 * onStall(why).
 */
export function createCallQueue({ isReady, send, onTimeout, timeLimitMs, backgroundAfterMs = BACKGROUND_AFTER_MS,
  waitStart = () => false, onStall = null, waitLimitMs = SHARED_WAIT_LIMIT_MS }) {
  let nextId = 1;
  const q = { current: null, queue: [], stall: 0 };   // current: {id, resolve, reject, meter, ...}
  // lastBusy: when Python last finished (or began) a call of the learner's, or became ready
  Object.assign(q, { lastBusy: -Infinity, later: 0, backgroundAfterMs, pump });

  function pump() {
    if (q.current || !isReady() || !q.queue.length) return;
    const i = pick(q);
    if (i < 0) return;
    const [job] = q.queue.splice(i, 1);
    if (!job.background) q.lastBusy = performance.now();
    job.id = nextId++;
    q.current = job;
    const waiting = waitStart();
    job.meter = createMeter(job.limit, () => {
      const seconds = (job.limit / 1000).toFixed(job.limit < 10000 ? 1 : 0);
      onTimeout(`it ran past ${seconds} s of its own time`);
    }, { waiting });
    if (waiting) watch();
    send({ type: "call", id: job.id, msg: job.msg, background: job.background });
    if (!waiting) started(job);
  }

  /** A shared worker that says nothing for waitLimitMs while our call waits there has stopped answering. */
  function watch() {
    clearTimeout(q.stall);
    if (onStall) q.stall = setTimeout(() => onStall("the shared Python stopped answering"), waitLimitMs);
  }

  /** The worker's "wait": our call is held back for another lab's learner (the worker is alive). */
  function waiting(m) {
    if (q.current && m.id === q.current.id) watch();
  }

  function started(job) {
    try { job.onStart?.(job.meter); } catch (err) { console.error(err); }
  }

  function call(msg, { timeLimitMs: limit = timeLimitMs, background = false, onStart = null } = {}) {
    return new Promise((resolve, reject) => {
      q.queue.push({ msg, resolve, reject, limit, background, onStart });
      pump();
    });
  }

  /** The worker's "start" for the current call (a shared worker's: it may have waited there). */
  function start(m) {
    if (!q.current || m.id !== q.current.id) return;
    clearTimeout(q.stall);
    q.current.meter.begin();
    started(q.current);
  }

  /** The worker's "result" or "error" for the current call (others are ignored). */
  function settle(m) {
    if (!q.current || m.id !== q.current.id) return;
    const job = q.current;
    q.current = null;
    job.meter.stop();
    clearTimeout(q.stall);
    if (!job.background) q.lastBusy = performance.now();
    if (m.type === "result") job.resolve(m.value);
    else job.reject(Object.assign(new Error(m.message), { reason: "error" }));
    pump();
  }

  /** The worker's "clock" message for the current call. */
  function clock(m) {
    if (q.current && m.id === q.current.id) q.current.meter.load(m.loading ? String(m.module || "a module") : "");
  }

  return {
    call, pump, start, settle, clock, waiting,
    failAll: (message, reason) => failAll(q, message, reason),
    requeue: (message, reason) => requeue(q, message, reason),
  };
}

/** The next call to send: the first of the learner's, else a background one once Python has been quiet (or -1). */
function pick(q) {
  if (q.lastBusy === -Infinity) q.lastBusy = performance.now();
  const i = q.queue.findIndex((job) => !job.background);
  if (i >= 0) return i;
  const wait = q.lastBusy + q.backgroundAfterMs - performance.now();
  if (wait <= 0) return 0;
  clearTimeout(q.later);
  q.later = setTimeout(q.pump, wait);
  return -1;
}

/** Every call rejected: the current one with `reason`, those queued with "restart". */
function failAll(q, message, reason) {
  const loading = q.current ? q.current.meter.loading() : "";
  const jobs = q.current ? [q.current, ...q.queue.splice(0)] : q.queue.splice(0);
  q.current?.meter.stop();
  clearTimeout(q.stall);
  q.current = null;
  jobs.forEach((job, i) => job.reject(Object.assign(new Error(message),
    { reason: i === 0 && reason ? reason : "restart", loading: i === 0 ? loading : "" })));
}

/**
 * The calls kept for another worker (a fallback): the current one goes back to the head
 * of the queue, or is rejected with `reason` when given (it outlived its limit).
 */
function requeue(q, message, reason) {
  clearTimeout(q.stall);
  const job = q.current;
  q.current = null;
  if (!job) return;
  job.meter.stop();
  if (reason) job.reject(Object.assign(new Error(message), { reason, loading: job.meter.loading() }));
  else q.queue.unshift(job);
}

/**
 * py.warm(modules): import these lazy modules (numpy.random) as background work, now if
 * Python is ready and again after every start (a restart loses them): the learner's first
 * `np.random` then finds them loaded. Never in a shared worker (no learner's code runs there).
 */
function warmable(options) {
  let warmer = null;
  const py = createPython({ ...options, onStatus: (s) => {
    options.onStatus?.(s);
    if (s.state === "ready") warmer.started();
  } });
  warmer = createWarmer(py, options.preload || [], options.onWarm);
  py.warm = warmer.warm;
  return py;
}

function createWarmer(py, preload, onWarm) {
  const wanted = [];
  function send(modules) {
    if (!modules.length || py.shared) return;
    py.call({ op: "warm", modules }, { background: true })
      .then((answer) => { if (answer && answer.warmed) onWarm?.(answer.warmed); }, () => {});
  }
  function warm(modules) {
    const add = modules.filter((name) => !wanted.includes(name) && !preload.includes(name));
    wanted.push(...add);
    if (py.state === "ready") send(add);
  }
  return { warm, started: () => send(wanted) };
}

/** Latest-value-wins over call: at most one call in flight per channel, one waiting. */
function createLatest(call) {
  const channels = new Map();
  return function latest(channel, msg, options) {
    let c = channels.get(channel);
    if (!c) channels.set(channel, (c = { busy: false, next: null }));
    return new Promise((resolve, reject) => {
      if (c.next) c.next.resolve(null);
      c.next = { msg, resolve, reject, options };
      drain(c, call);
    });
  };
}

/** A channel's waiting call, sent once the one in flight has answered. */
async function drain(c, call) {
  if (c.busy || !c.next) return;
  const job = c.next;
  c.next = null;
  c.busy = true;
  try { job.resolve(await call(job.msg, job.options)); } catch (err) { job.reject(err); }
  c.busy = false;
  drain(c, call);
}

/**
 * The SharedWorker's name: with the build's stamp (index.html's <meta name="gdlab-build">,
 * a hash of the build written by build.py), so that the labs of a new deployment start a
 * shared Python of their own instead of talking to an old one still alive in another tab.
 */
export function sharedName() {
  const stamp = document.querySelector('meta[name="gdlab-build"]')?.content || "dev";
  return `gdlab-python-${stamp}`;
}

/** The shared worker's port, or null where SharedWorker is missing or refused (a sandboxed frame). */
function connectShared(url, onError) {
  if (typeof SharedWorker !== "function") return null;
  try {
    const sw = new SharedWorker(url, { type: "module", name: sharedName() });
    sw.onerror = (event) => { event.preventDefault?.(); onError(event.message || "it did not load"); };
    return sw.port;
  } catch {
    return null;
  }
}

/** py.ready: renew() makes a new promise unless the last one is still pending (a fallback keeps it). */
function createReadiness(py) {
  let settled = true;
  let marks = null;
  return {
    renew() {
      if (!settled) return;
      py.ready = new Promise((resolve, reject) => { marks = { resolve, reject }; });
      py.ready.catch(() => {});
      settled = false;
    },
    resolve() { settled = true; marks.resolve(); },
    reject(err) { settled = true; marks.reject(err); },
  };
}

/** A dedicated worker (the URL's hash names the modules to preload). */
function dedicatedWorker(url, preload, receive, crash) {
  if (preload.length) url.hash = `preload=${preload.join(",")}`;
  const worker = new Worker(url, { type: "module" });
  worker.onmessage = (event) => receive(event.data);
  worker.onerror = (event) => {
    event.preventDefault?.();
    crash(`the Python worker stopped: ${event.message || "unknown error"}`);
  };
  return worker;
}

/** The worker's life: start, its messages, restarts, the shared worker's fallback (the API is at the top). */
export function createPython({ onProgress, onStatus, onFallback, timeLimitMs = 15000, preload = [], shared = false } = {}) {
  let worker = null;     // a Worker, or the SharedWorker's port
  let bootTimer = 0;
  const calls = createCallQueue({ isReady: () => py.state === "ready", send: (m) => worker.postMessage(m),
    onTimeout: (why) => restart(why, "timeout"), timeLimitMs,
    waitStart: () => py.shared, onStall: (why) => fallback(why) });
  const py = { state: "loading", ready: null, shared: false, call: calls.call, latest: createLatest(calls.call), restart };
  const readiness = createReadiness(py);

  function setState(state, text) {
    py.state = state;
    onStatus?.({ state, text });
  }

  function start(asShared) {
    readiness.renew();
    // the worker sits at static/ beside config.js and the bundle (this module may run bundled or not)
    const url = new URL("static/py-worker.js", document.baseURI);
    const port = asShared ? connectShared(url, (why) => fallback(`the shared Python stopped: ${why}`)) : null;
    py.shared = Boolean(port);
    if (!port) { worker = dedicatedWorker(url, preload, receive, (why) => restart(why, "crash")); return; }
    worker = port;
    port.onmessage = (event) => receive(event.data);
    bootTimer = setTimeout(() => fallback("the shared Python did not start in time"), SHARED_BOOT_LIMIT_MS);
    addEventListener("pagehide", bye);
  }

  function receive(m) {
    if (!m || typeof m !== "object") return;
    if (m.type === "progress") onProgress?.(m);
    else if (m.type === "ready") {
      clearTimeout(bootTimer);
      py.packages = m.packages || [];
      py.stages = m.stages || {};
      setState("ready", `ready in ${m.ms} ms`);
      readiness.resolve();
      calls.pump();
    } else if (m.type === "fatal") {
      if (py.shared) { fallback(`the shared Python could not start: ${m.message}`); return; }
      setState("failed", m.message);
      readiness.reject(new Error(m.message));
      calls.failAll(m.message, "crash");
    } else if (m.type === "start") calls.start(m);
    else if (m.type === "result" || m.type === "error") calls.settle(m);
    else if (m.type === "clock") calls.clock(m);
  }

  /** This lab leaves the shared worker (its queued calls there are dropped). */
  function bye() {
    if (!py.shared) return;
    try { worker.postMessage({ type: "bye", id: 0 }); worker.close(); } catch { /* gone already */ }
  }

  /** The shared Python failed or stopped answering: this lab goes on with a worker of its own, quietly. */
  function fallback(why, reason = "") {
    if (!py.shared) return;
    clearTimeout(bootTimer);
    bye();
    removeEventListener("pagehide", bye);
    console.info(`gdlab: ${why}; this lab starts a Python of its own`);
    calls.requeue(`Python was restarted: ${why}`, reason);
    setState("restarting", "starting a Python of this lab's own");
    start(false);
    onFallback?.(why);
  }

  /** Terminate the worker (a runaway program, a crash, the Stop button) and start anew. */
  function restart(why = "restarted", reason = "restart") {
    if (py.shared) { fallback(why, reason); return; }
    worker?.terminate();
    calls.failAll(`Python was restarted: ${why}`, reason);
    setState("restarting", `Python restarting (${why})`);
    start(false);
  }

  setState("loading", "starting Python");
  start(shared);
  return py;
}

/**
 * A lab's Python (the API is at the top): with `shared`, its own work goes to the shared
 * worker and the learner's code (LEARNER_OPS) to a dedicated worker of this lab, started
 * on the first such call or by warmCode(); without, one dedicated worker does all.
 * `onCall(msg)` hears every call the lab makes.
 */
export function createLabPython({ shared = false, preload = [], onCall = () => {}, ...options } = {}) {
  const main = warmable({ ...options, preload: shared ? [] : preload, shared });
  const idle = createLearnerIdle();
  const heard = (send) => (msg, opts) => { onCall(msg); return idle.track(msg, send(msg, opts)); };
  if (!shared) {
    const call = heard(main.call);
    return Object.assign(main, { warmCode: () => main.warm(WARM), call, latest: createLatest(call), learnerIdle: idle.wait,
      learnerBusy: idle.busy });
  }
  let code = null;
  const codeWorker = () => code || (code = warmable({ timeLimitMs: options.timeLimitMs, preload, onWarm: options.onWarm }));
  // after a fallback with no code worker yet, the lab's own worker runs the learner's code too
  const route = (msg) => (LEARNER_OPS.has(msg && msg.op) && (main.shared || code) ? codeWorker() : main);
  const call = heard((msg, opts) => route(msg).call(msg, opts));
  return {
    get state() { return main.state; },
    get ready() { return main.ready; },
    get shared() { return main.shared; },
    get packages() { return main.packages; },
    get stages() { return main.stages; },
    call,
    latest: createLatest(call),
    restart: (why, reason) => (code || main).restart(why, reason),
    warmCode: () => (main.shared || code ? codeWorker() : main).warm(WARM),
    learnerIdle: idle.wait,
    learnerBusy: idle.busy,
  };
}

/** The learner's calls in flight (LEARNER_OPS): busy(), and wait() resolves when there are none. */
function createLearnerIdle() {
  let busy = 0;
  let waiters = [];
  function track(msg, promise) {
    if (!LEARNER_OPS.has(msg && msg.op)) return promise;
    busy += 1;
    const done = () => {
      busy -= 1;
      if (!busy) { for (const resolve of waiters) resolve(); waiters = []; }
    };
    promise.then(done, done);
    return promise;
  }
  const wait = () => (busy ? new Promise((resolve) => waiters.push(resolve)) : Promise.resolve());
  return { track, wait, busy: () => busy > 0 };
}
