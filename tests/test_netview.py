"""A network's decision boundary is computed from its own run's weights only
(static/lab/runs.js, static/lab/netview.js, run in node with a fake Python).

While a new net's run computes, the live slot shows the last run (`borrowed`): another
net's weights. A boundary asked with them under the new net's key was either an error
(other layer sizes: asked never again, so the boundary never came) or, worse, another
net's boundary shown as this one's (same sizes, another seed)."""

from __future__ import annotations

import pytest
from nodejs import run_script

SCRIPT = r"""
const [runsUrl, netUrl] = process.argv.slice(-2);
const el = () => ({ dataset: {}, hidden: false, textContent: "", style: {},
  getContext: () => null, setAttribute() {}, closest: () => el() });
const els = new Map();
globalThis.document = { getElementById: (id) => els.get(id) || (els.set(id, el()), els.get(id)), createElement: el };
const { createRuns } = await import(runsUrl);
const { createNetView } = await import(netUrl);

const net = { name: "xor-mlp", network: true, dim: 3, n_samples: 4, start: [], steps: 20 };
const schema = { surfaces: new Map([[net.name, net]]), lessons: new Map(), optimizers: new Map() };
const asked = [];           // the messages Python was sent
const answers = [];         // their resolvers, in order
const python = { ready: true, start() {}, whenReady: new Promise(() => {}),
  client: { latest: (channel, msg) => new Promise((resolve) => { asked.push({ channel, msg }); answers.push(resolve); }),
            call: () => new Promise(() => {}) } };
const runs = createRuns({ schema, python, view: { runs: [] }, onChange: () => {}, background: () => false });
const shown = [];
const view = createNetView({ schema, python, home: {}, redraw: () => {} });
const state = (seed) => ({ surface: net.name, optimizer: "sgd", lr: 0.1, steps: 20, start: [], hyper: {},
  extra: { layers: "2,2,1", init_seed: seed } });
const run = (w) => ({ surface: net.name, path: Array.from({ length: 21 }, () => [w, w, w]), loss: Array(21).fill(1) });
const live = (s) => runs.view(s).at(-1);
const boundaryAsks = () => asked.filter((a) => a.channel === "boundary").map((a) => a.msg.w[0][0]);

const out = {};
const a = state(1);
live(a);                                             // asks Python for the run of seed 1
answers[asked.findIndex((x) => x.channel === "run")](run(1));
await new Promise((r) => setTimeout(r, 0));
const slotA = live(a);
out.a = { borrowed: slotA.borrowed, w: slotA.run.points[0][0] };
view.show(slotA, 20);
out.asksAfterA = boundaryAsks();
const b = state(2);                                  // a new seed: its run is not here yet
const slotB = live(b);
out.b = { borrowed: slotB.borrowed, w: slotB.run && slotB.run.points[0][0] };
view.show(slotB, 20);
out.asksWhileBorrowed = boundaryAsks();
out.currentWhileBorrowed = els.get("boundary-section").dataset.current;
const runB = asked.map((x, i) => [x, i]).filter(([x]) => x.channel === "run" && x.msg.init_seed === 2)[0][1];
answers[runB](run(2));
await new Promise((r) => setTimeout(r, 0));
const slotB2 = live(b);
out.b2 = { borrowed: slotB2.borrowed, w: slotB2.run.points[0][0] };
view.show(slotB2, 20);
out.asksAtTheEnd = boundaryAsks();
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def result():
    return run_script(SCRIPT, "static/lab/runs.js", "static/lab/netview.js")


def test_the_last_run_stands_in_marked_borrowed_until_the_new_one_comes(result):
    assert result["a"] == {"borrowed": False, "w": 1}
    assert result["b"] == {"borrowed": True, "w": 1}       # seed 1's path, shown for seed 2
    assert result["b2"] == {"borrowed": False, "w": 2}


def test_a_boundary_is_asked_with_the_nets_own_weights_only(result):
    assert result["asksAfterA"] == [1]
    assert result["asksWhileBorrowed"] == [1]               # none for seed 2 with seed 1's weights
    assert result["currentWhileBorrowed"] == "false"
    assert result["asksAtTheEnd"] == [1, 2]
