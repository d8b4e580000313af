"""The worker client's call queue (static/python/worker-client.js), run in node with a fake
clock: the learner's calls go before the lab's background calls, and a call's time limit
counts only its own time (never its wait in the queue, never a module's lazy load)."""

from __future__ import annotations

import pytest
from nodejs import run_script

SCRIPT = r"""
// a fake clock: performance.now() and setTimeout advance only when the script says so
let now = 0;
const timers = new Map();
let nextTimer = 1;
globalThis.performance = { now: () => now };
globalThis.setTimeout = (fn, ms) => { timers.set(nextTimer, [now + ms, fn]); return nextTimer++; };
globalThis.clearTimeout = (id) => timers.delete(id);
function advance(ms) {
  const end = now + ms;
  for (;;) {
    const due = [...timers].filter(([, [at]]) => at <= end).sort((a, b) => a[1][0] - b[1][0])[0];
    if (!due) break;
    timers.delete(due[0]);
    now = due[1][0];
    due[1][1]();
  }
  now = end;
}
const { createCallQueue } = await import(process.argv.at(-1));
const sent = [];
const timeouts = [];
let ready = false;
const q = createCallQueue({ isReady: () => ready, send: (m) => sent.push({ ...m, at: now }), timeLimitMs: 1000,
  onTimeout: (why) => { timeouts.push([now, why]); q.failAll("restarted", "timeout"); } });
const settled = [];
const track = (name, p) => p.then((v) => settled.push([name, "ok", v]), (e) => settled.push([name, e.reason, e.loading]));
const out = {};

// 1. queued while Python starts: the background calls wait behind the learner's
track("lesson", q.call({ op: "lesson" }, { background: true }));
track("sweep", q.call({ op: "sweep" }, { background: true }));
track("run", q.call({ op: "run" }));
track("user", q.call({ op: "user" }));
ready = true;
q.pump();
const order = [];
for (let i = 0; i < 4; i++) {
  const m = sent.at(-1);
  order.push(m.msg.op);
  advance(10);
  const n = sent.length;
  q.settle({ type: "result", id: m.id, value: m.msg.op });
  await Promise.resolve();
  while (sent.length === n && i < 3) advance(100);   // a background call waits for quiet
}
out.order = order;
out.sent_at = sent.map((m) => m.at);

// 2. a call's limit (1000 ms) counts its own time: a 5-s lazy load in the middle does not
let meter = null;
track("slow", q.call({ op: "user" }, { onStart: (m) => { meter = m; } }));
const slow = sent.at(-1);
advance(600);
q.clock({ type: "clock", id: slow.id, loading: true, module: "numpy.random" });
out.loading = meter.loading();
advance(5000);
out.ms_after_load = meter.ms();
q.clock({ type: "clock", id: slow.id, loading: false, module: "numpy.random" });
advance(300);
out.timeouts_before = timeouts.length;
q.settle({ type: "result", id: slow.id, value: "slow" });

// 3. a runaway is stopped at 1000 ms of its own time
track("runaway", q.call({ op: "user" }));
const started = now;
advance(5000);
out.timeout_after = timeouts.length ? timeouts[0][0] - started : null;

// 4. stopped while a module loads: the error says which
track("stuck", q.call({ op: "user" }));
q.clock({ type: "clock", id: sent.at(-1).id, loading: true, module: "statistics" });
advance(60000);
out.timeouts_while_loading = timeouts.length;
q.failAll("stopped by you", "restart");

// 5. a shared worker: the meter starts on the worker's "start", not when sent; a worker
// that says nothing while our call waits there has stalled; "wait" says it is alive; the
// calls go to another worker (requeue) with the one in flight first
const stalls = [];
const sq = createCallQueue({ isReady: () => true, send: (m) => sent.push({ ...m, at: now }), timeLimitMs: 1000,
  waitStart: () => true, waitLimitMs: 3000, onStall: (why) => stalls.push(now),
  onTimeout: (why) => timeouts.push([now, why]) });
let smeter = null;
track("queued", sq.call({ op: "run" }, { onStart: (m) => { smeter = m; } }));
track("behind", sq.call({ op: "landscape" }));
const first = sent.at(-1);
out.shared_background_flag = first.background;
advance(2500);                                    // waits behind other labs' calls: no time counted
out.shared_started_before = smeter !== null;
sq.waiting({ type: "wait", id: first.id });       // alive: the stall clock starts again
advance(2500);
out.stalls_after_wait = stalls.length;
sq.start({ type: "start", id: first.id });
advance(400);
out.shared_ms = smeter.ms();
out.shared_timeouts = timeouts.length;
sq.requeue("fell back");                          // to another worker: sent again, first
sq.pump();
out.resent = sent.slice(-1).map((m) => m.msg.op);
advance(3001);
out.stalls_after_resend = stalls.length;
await new Promise((r) => setImmediate(r));
out.settled = settled;
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def result():
    return run_script(SCRIPT, "static/python/worker-client.js")


def test_the_learners_calls_go_before_background_work(result):
    assert result["order"] == ["run", "user", "lesson", "sweep"]
    # each learner call takes 10 ms; the background starts 1500 ms after the last one ends
    assert result["sent_at"] == [0, 10, 1520, 1530]


def test_a_lazy_load_does_not_count_against_the_limit(result):
    assert result["loading"] == "numpy.random"
    assert result["ms_after_load"] == 600
    assert result["timeouts_before"] == 0
    assert ["slow", "ok", "slow"] in result["settled"]


def test_a_runaway_stops_at_its_limit_of_own_time(result):
    assert result["timeout_after"] == 1000
    assert ["runaway", "timeout", ""] in result["settled"]


def test_stopped_while_loading_says_which_module(result):
    assert result["timeouts_while_loading"] == 1      # only the runaway's
    assert ["stuck", "restart", "statistics"] in result["settled"]


def test_a_shared_workers_call_counts_from_its_start_and_a_silent_worker_stalls(result):
    assert result["shared_background_flag"] is False
    assert result["shared_started_before"] is False      # no time counted while it waits there
    assert result["stalls_after_wait"] == 0              # "wait": the worker is alive
    assert result["shared_ms"] == 400
    assert result["resent"] == ["run"]                   # requeued first, to the new worker
    assert result["stalls_after_resend"] == 1            # then silence for 3 s: stalled
