// When and how the page starts Python: a handle that loads the worker on demand.
//
//   const python = createPythonHandle();
//   python.start();                  // load the worker (idempotent)
//   python.whenReady.then((client) => client.call(...));
//   python.ready                     // true once Python can take calls
//
// The handle writes its progress into #python-state and marks <body data-python>.

/** Python, started on demand: `start()` loads the worker; `whenReady` resolves to the client. */
export function createPythonHandle() {
  let go = null;
  const started = new Promise((resolve) => { go = resolve; });
  const handle = { client: null, ready: false, whenReady: null, start: () => go() };
  let t0 = 0;
  handle.whenReady = started
    .then(() => { t0 = performance.now(); return import("./worker-client.js"); })
    .then(({ createPython }) => {
      handle.client = createPython({
        onProgress: (p) => setPythonText(`Python: ${describe(p)}`),
        onStatus: (s) => {
          const text = describe(s);
          if (text && !/^ready/i.test(text)) setPythonText(`Python: ${text}`);
        },
        timeLimitMs: 10000,
      });
      return handle.client.ready;
    })
    .then(() => {
      handle.ready = true;
      const seconds = (performance.now() - t0) / 1000;
      document.body.dataset.python = "ready";
      document.body.dataset.pythonReadyMs = String(Math.round(performance.now()));
      setPythonText(`Python ready (${seconds.toFixed(1)} s)`);
      return handle.client;
    });
  handle.whenReady.catch((err) => {
    document.body.dataset.python = "failed";
    setPythonText(`Python could not start: ${describe(err)}`);
  });
  return handle;
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
