// The Python worker: Pyodide + numpy + gdlab, answering the page's calls.
//
// Protocol (every message has a `type` and an `id`; id 0 is about the worker itself):
//   worker -> page  {type: "progress", id: 0, stage, text}   while starting
//                   {type: "ready", id: 0, ms, packages, stages}   Python can take calls
//                        (stages: ms since the worker started at the end of each step)
//                   {type: "fatal", id: 0, message}           Python could not start (also
//                        when Pyodide's package loader printed an error: a broken build)
//                   {type: "result", id, value}               value: the bridge's answer,
//                        arrays as {shape, data: Float64Array} (their buffers transferred)
//                   {type: "error", id, message}              the call failed in the worker
//                   {type: "clock", id, loading, module}      during call id, a module's lazy
//                        archive started (loading: true) or finished loading: the page's
//                        time limit counts the learner's own time, not these loads
//                   {type: "start", id}                       Python started on call id (it may
//                        have waited behind other labs' calls in a shared worker)
//                   {type: "wait", id}                        call id is held back for the learner's
//                        calls of another lab (a shared worker that is alive and answering)
//   page -> worker  {type: "call", id, msg, background}       msg: a gdlab.bridge message;
//                        background: the lab's own work that no learner's action asked for
//                   {type: "bye", id: 0}                      the lab is going (its queued calls
//                        are dropped)
// Messages of any other shape are ignored.
//
// The same file runs as a dedicated worker (one lab) or as a SharedWorker (the embeds of
// one origin): then each lab talks over its own port, answers go to the port that asked,
// and the calls of every port wait in one queue where a call that is not background goes
// ahead of any background call (learner first, across labs). Python runs one call at a
// time either way.
// The worker's URL may name modules to load as part of the start (`#preload=numpy.random`):
// the page asks for those that the view's own program imports, so its first Run code
// does not wait for a lazy archive.

import { PYODIDE_URL, LAZY_ARCHIVES } from "./config.js";

const t0 = performance.now();
let packages = [];
const stages = {};
const mark = (stage) => { stages[stage] = Math.round(performance.now() - t0); };
const shared = typeof SharedWorkerGlobalScope === "function" && self instanceof SharedWorkerGlobalScope;
const ports = new Set(shared ? [] : [self]);
let outcome = null;   // the "ready" or "fatal" message, sent again to a port that connects later
const broadcast = (m) => { for (const port of ports) port.postMessage(m); };
const progress = (stage, text) => broadcast({ type: "progress", id: 0, stage, text });

async function boot() {
  progress("runtime", "loading the Python runtime and numpy");
  const indexURL = new URL(PYODIDE_URL, import.meta.url).href;
  const gdlabZip = fetch(new URL("./gdlab.zip", import.meta.url)).then((r) => {
    if (!r.ok) throw new Error(`gdlab.zip: HTTP ${r.status}`);
    return r.arrayBuffer();
  });
  const { loadPyodide } = await import(`${indexURL}pyodide.mjs`);
  mark("module");
  const loaderErrors = [];  // Pyodide reports a package that failed to load only on stderr
  const pyodide = await loadPyodide({ indexURL, packages: ["numpy"], stdout: () => {},
                                      stderr: (line) => loaderErrors.push(line) });
  pyodide.setStderr({ batched: () => {} });  // from here on silent, as before (numpy's warnings)
  if (loaderErrors.length || !pyodide.loadedPackages.numpy) {
    throw new Error(`numpy did not load: ${loaderErrors.join("\n") || "not among the loaded packages"}`);
  }
  packages = Object.keys(pyodide.loadedPackages);
  mark("pyodide");
  pyodide.runPython("import numpy");
  mark("numpy");
  progress("gdlab", "loading the optimizer core (gdlab)");
  pyodide.unpackArchive(await gdlabZip, "zip", { extractDir: "/home/pyodide/lib" });
  pyodide.runPython("import sys; sys.path.insert(0, '/home/pyodide/lib')");
  const bridge = pyodide.pyimport("gdlab.bridge");
  // what a cold start does not load (learner-only stdlib modules, numpy.random), fetched
  // on the first import of one of its modules
  pyodide.pyimport("gdlab.stdlib_more").install(fetchSync, pyodide.toPy(
    LAZY_ARCHIVES.map(([file, names]) => [new URL(file, import.meta.url).href, names])), clock);
  mark("gdlab");
  const preload = new URLSearchParams(self.location.hash.slice(1)).get("preload");
  for (const name of (preload || "").split(",").filter((n) => /^[a-z][a-z0-9_.]*$/.test(n))) {
    pyodide.pyimport("importlib").import_module(name);
    mark(`preload ${name}`);
  }
  return bridge.handle_json;
}

let callId = 0;   // the call Python is working on (0: none)
let callPort = null;

/** Tell the page that a lazy load started or ended during the current call. */
function clock(loading, module) {
  callPort?.postMessage({ type: "clock", id: callId, loading: Boolean(loading), module: String(module) });
}

/** The bytes at url, synchronously (a worker may): for imports, which cannot wait. */
function fetchSync(url) {
  const xhr = new XMLHttpRequest();
  xhr.open("GET", url, false);
  xhr.responseType = "arraybuffer";
  xhr.send();
  if (xhr.status !== 200) throw new Error(`${url}: HTTP ${xhr.status}`);
  return new Uint8Array(xhr.response);
}

const ready = boot();
ready.then(
  () => { outcome = { type: "ready", id: 0, ms: Math.round(performance.now() - t0), packages, stages }; },
  (err) => { outcome = { type: "fatal", id: 0, message: String(err && err.message || err) }; },
).then(() => { broadcast(outcome); pump(); });

/** The bridge's JSON answer with its {$nd, shape} placeholders filled by the arrays. */
function unpack(value, arrays) {
  if (Array.isArray(value)) return value.map((v) => unpack(v, arrays));
  if (value && typeof value === "object") {
    if (typeof value.$nd === "number") return { shape: value.shape, data: arrays[value.$nd] };
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = unpack(v, arrays);
    return out;
  }
  return value;
}

/** One call, answered on its port. */
async function call(port, id, msg) {
  const handleJson = await ready;
  callId = id;
  callPort = port;
  let answer;
  try {
    answer = handleJson(JSON.stringify(msg));
  } finally {
    callId = 0;
    callPort = null;
  }
  try {
    const text = answer.get(0);
    const list = answer.get(1);
    const arrays = [];
    for (let i = 0; i < list.length; i++) {
      const item = list.get(i);
      const buf = item.getBuffer("f64");
      arrays.push(new Float64Array(buf.data)); // a copy out of wasm memory
      buf.release();
      item.destroy();
    }
    list.destroy();
    const value = unpack(JSON.parse(text), arrays);
    port.postMessage({ type: "result", id, value }, arrays.map((a) => a.buffer));
  } finally {
    answer.destroy();
  }
}

// The calls of every port, one at a time: the first that is not background, else the
// oldest; in a shared worker a background call also waits until no lab has had a call of
// the learner's for QUIET_MS (as each lab's own queue does for its own calls), so one
// lab's prefetch or lesson does not start while the learner drags another lab's slider
// (one already running is not interrupted: Python runs one call at a time). In a shared worker the next is picked in a task of its own, posted through a
// MessageChannel: it comes after the ports' messages that arrived while Python was busy
// (the same task source), so a learner's call sent meanwhile is in the queue to be picked.
const QUIET_MS = 1500;
const queue = [];
let busy = false;
let pumping = false;
let lastLearner = -Infinity;   // when a call of the learner's last started or ended
let quiet = 0;
const later = shared ? new MessageChannel() : null;
if (later) later.port1.onmessage = () => { pumping = false; next(); };

function pump() {
  if (busy || pumping || !outcome || !queue.length) return;
  if (!later) { next(); return; }
  pumping = true;
  later.port2.postMessage(0);
}

function next() {
  if (busy || !queue.length) return;
  let i = queue.findIndex((job) => !job.background);
  if (i < 0) {
    const wait = shared ? lastLearner + QUIET_MS - performance.now() : 0;
    if (wait > 0) {
      for (const job of queue) job.port.postMessage({ type: "wait", id: job.id });
      clearTimeout(quiet);
      quiet = setTimeout(pump, wait);
      return;
    }
    i = 0;
  }
  const [job] = queue.splice(i, 1);
  busy = true;
  if (!job.background) lastLearner = performance.now();
  job.port.postMessage({ type: "start", id: job.id });
  call(job.port, job.id, job.msg).catch((err) => {
    job.port.postMessage({ type: "error", id: job.id, message: String(err && err.message || err) });
  }).finally(() => {
    busy = false;
    if (!job.background) lastLearner = performance.now();
    pump();
  });
}

function listen(port) {
  port.onmessage = (event) => {
    const m = event.data;
    if (m && m.type === "bye") {
      ports.delete(port);
      for (let i = queue.length - 1; i >= 0; i--) if (queue[i].port === port) queue.splice(i, 1);
      return;
    }
    if (!m || m.type !== "call" || typeof m.id !== "number") return;
    queue.push({ port, id: m.id, msg: m.msg, background: Boolean(m.background) });
    if (!busy && !pumping && outcome && !m.background) next();   // Python is free: the learner's call now
    else pump();
  };
}

if (shared) {
  self.onconnect = (event) => {
    const port = event.ports[0];
    ports.add(port);
    listen(port);
    if (outcome) port.postMessage(outcome);
  };
} else {
  listen(self);
}
