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

const BACKGROUND_AFTER_MS = 1500;

/** A call's own time: runs while Python works on it, stands still while a module loads. */
export function createMeter(limit, onOver) {
  let used = 0;
  let since = performance.now();
  let loading = "";
  let timer = setTimeout(onOver, limit);
  return {
    ms: () => used + (loading ? 0 : performance.now() - since),
    loading: () => loading,
    /** The worker's clock message: a lazy load started (module) or ended (""). */
    load(module) {
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
 * send(message) posts to the worker, isReady() says whether it takes calls.
 */
export function createCallQueue({ isReady, send, onTimeout, timeLimitMs, backgroundAfterMs = BACKGROUND_AFTER_MS }) {
  let nextId = 1;
  let current = null; // {id, resolve, reject, meter, ...}
  const queue = [];
  let lastBusy = -Infinity;   // when Python last finished (or began) a call of the learner's, or became ready
  let later = 0;

  function pump() {
    if (current || !isReady() || !queue.length) return;
    if (lastBusy === -Infinity) lastBusy = performance.now();
    let i = queue.findIndex((job) => !job.background);
    if (i < 0) {
      const wait = lastBusy + backgroundAfterMs - performance.now();
      if (wait > 0) {
        clearTimeout(later);
        later = setTimeout(pump, wait);
        return;
      }
      i = 0;
    }
    const [job] = queue.splice(i, 1);
    if (!job.background) lastBusy = performance.now();
    job.id = nextId++;
    current = job;
    job.meter = createMeter(job.limit, () => {
      const seconds = (job.limit / 1000).toFixed(job.limit < 10000 ? 1 : 0);
      onTimeout(`it ran past ${seconds} s of its own time`);
    });
    send({ type: "call", id: job.id, msg: job.msg });
    try { job.onStart?.(job.meter); } catch (err) { console.error(err); }
  }

  function call(msg, { timeLimitMs: limit = timeLimitMs, background = false, onStart = null } = {}) {
    return new Promise((resolve, reject) => {
      queue.push({ msg, resolve, reject, limit, background, onStart });
      pump();
    });
  }

  /** The worker's "result" or "error" for the current call (others are ignored). */
  function settle(m) {
    if (!current || m.id !== current.id) return;
    const job = current;
    current = null;
    job.meter.stop();
    if (!job.background) lastBusy = performance.now();
    if (m.type === "result") job.resolve(m.value);
    else job.reject(Object.assign(new Error(m.message), { reason: "error" }));
    pump();
  }

  /** The worker's "clock" message for the current call. */
  function clock(m) {
    if (current && m.id === current.id) current.meter.load(m.loading ? String(m.module || "a module") : "");
  }

  /** Every call rejected: the current one with `reason`, those queued with "restart". */
  function failAll(message, reason) {
    const loading = current ? current.meter.loading() : "";
    const jobs = current ? [current, ...queue.splice(0)] : queue.splice(0);
    current?.meter.stop();
    current = null;
    jobs.forEach((job, i) => job.reject(Object.assign(new Error(message),
      { reason: i === 0 && reason ? reason : "restart", loading: i === 0 ? loading : "" })));
  }

  return { call, pump, settle, clock, failAll };
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

/** The worker's life: start, its messages, restarts (the API is at the top of this file). */
export function createPython({ onProgress, onStatus, timeLimitMs = 15000, preload = [] } = {}) {
  let worker = null;
  let markReady = null;
  let markFailed = null;
  const calls = createCallQueue({ isReady: () => py.state === "ready", send: (m) => worker.postMessage(m),
    onTimeout: (why) => restart(why, "timeout"), timeLimitMs });

  const py = {
    state: "loading",
    ready: null,
    call: calls.call,
    latest: createLatest(calls.call),
    restart,
  };

  function setState(state, text) {
    py.state = state;
    onStatus?.({ state, text });
  }

  function start() {
    py.ready = new Promise((resolve, reject) => { markReady = resolve; markFailed = reject; });
    py.ready.catch(() => {});
    const url = new URL("./py-worker.js", import.meta.url);
    if (preload.length) url.hash = `preload=${preload.join(",")}`;
    worker = new Worker(url, { type: "module" });
    worker.onmessage = (event) => receive(event.data);
    worker.onerror = (event) => {
      event.preventDefault?.();
      crash(`the Python worker stopped: ${event.message || "unknown error"}`);
    };
  }

  function receive(m) {
    if (!m || typeof m !== "object") return;
    if (m.type === "progress") onProgress?.(m);
    else if (m.type === "ready") {
      py.packages = m.packages || [];
      py.stages = m.stages || {};
      setState("ready", `ready in ${m.ms} ms`);
      markReady();
      calls.pump();
    } else if (m.type === "fatal") {
      setState("failed", m.message);
      markFailed(new Error(m.message));
      calls.failAll(m.message, "crash");
    } else if (m.type === "result" || m.type === "error") calls.settle(m);
    else if (m.type === "clock") calls.clock(m);
  }

  function crash(message) {
    restart(message, "crash");
  }

  /** Terminate the worker (a runaway program, a crash, the Stop button) and start anew. */
  function restart(why = "restarted", reason = "restart") {
    worker?.terminate();
    calls.failAll(`Python was restarted: ${why}`, reason);
    setState("restarting", `Python restarting (${why})`);
    start();
  }

  setState("loading", "starting Python");
  start();
  return py;
}
