// The learning-rate sweep of an experiment: one vectorised run (the `sweep` op, K rates
// as one (K, d) run) over the slider's notches. Each row is cached as that notch's run,
// so dragging the slider redraws from memory, and the sweep itself feeds the sweep plot
// and the slider's regimes.
//
//   const sweeps = createSweeps({ schema, python, remember, known, onChange });
//   sweeps.prefetch(state)      ask Python for this experiment's sweep (once)
//   sweeps.sweepOf(state)       {lrs, status, final_loss, diverged_at, thresholds} or null

import { normalizeRun } from "../plots/plots.js";
import { canonical, runMessage, sliderScale } from "../state/state.js";

const SWEEP_MAX_POINTS = 260000;    // prefetch every slider notch when K·(steps+1) is at most this
const SWEEP_MAX_WORK = 2e6;         // ... and K·(steps+1)·(1 + data rows) at most 4x this
const SWEEP_MIN_RATES = 40;         // fewer notches than this: no sweep
const SWEEP_TIME_LIMIT_MS = 4000;

export function createSweeps({ schema, python, remember, known, onChange }) {
  let sweptKey = null;
  const sweeps = new Map();  // the experiment but its lr -> its sweep

  function sweepOf(state) {
    return sweeps.get(canonical({ ...runMessage(state), lr: null })) || null;
  }

  /**
   * Run this experiment at every notch of the slider in one vectorised call (the `sweep`
   * op: K learning rates as one (K, d) run) and cache each row as that notch's run, so
   * dragging the slider redraws from memory (a schedule scales with each notch's lr). Long runs sweep every k-th notch (at least
   * SWEEP_MIN_RATES of them: enough for the sweep plot); very long ones are skipped.
   */
  function prefetch(state) {
    if (!python.ready) return;
    const surface = schema.surfaces.get(state.surface);
    const scale = sliderScale(surface);
    const cost = (state.steps + 1) * (1 + (surface.n_samples || 0) / 20);
    const every = Math.max(1, Math.ceil(((scale.max + 1) * cost) / SWEEP_MAX_POINTS));
    const lrs = [];
    for (let pos = 0; pos <= scale.max; pos += every) lrs.push(scale.toLr(pos));
    if (lrs.length < SWEEP_MIN_RATES || lrs.length * (state.steps + 1) * (1 + (surface.n_samples || 0)) > SWEEP_MAX_WORK * 4) return;
    const base = runMessage(state);
    const key = canonical({ ...base, lr: null });   // the experiment but its lr
    if (key === sweptKey) return;
    sweptKey = key;
    python.client.latest("sweep", { ...base, op: "sweep", lrs }, { timeLimitMs: SWEEP_TIME_LIMIT_MS, background: true }).then((res) => {
      if (!res || res.error || !res.paths || !res.paths.shape) {
        if (sweptKey === key) sweptKey = null;
        return;
      }
      storeSweep(state, key, base, lrs, res);
    }, () => { if (sweptKey === key) sweptKey = null; });
  }

  function storeSweep(state, key, base, lrs, res) {
    sweeps.set(key, {
      lrs, status: res.status, final_loss: res.final_loss, diverged_at: res.diverged_at,
      thresholds: res.thresholds || {},
    });
    if (sweeps.size > 20) sweeps.delete(sweeps.keys().next().value);
    // A network's rows stay the sweep's: a run of the page also carries its accuracies per
    // step, which the sweep does not (each notch trains live, its first steps streamed)
    if (!schema.surfaces.get(state.surface)?.network) rememberRows(state, base, lrs, res);
    onChange("sweep");   // after the rows: the live run may be one of them
  }

  function rememberRows(state, base, lrs, res) {
    const [k, n, d] = res.paths.shape;
    for (let i = 0; i < k; i++) {
      const rowKey = canonical({ ...base, lr: lrs[i] });
      if (known(rowKey)) continue;
      remember(rowKey, normalizeRun({
        surface: res.surface, optimizer: res.optimizer, hyper: res.hyper, lr_base: lrs[i],
        steps: state.steps, start: state.start, dim: d,
        path: { shape: [n, d], data: res.paths.data.subarray(i * n * d, (i + 1) * n * d) },
        loss: { shape: [n], data: res.losses.data.subarray(i * n, (i + 1) * n) },
        status: res.status[i], diverged_at: res.diverged_at[i], steps_to_tol: res.steps_to_tol[i],
        final_loss: res.final_loss[i], distance_to_min: res.distance_to_min[i], path_length: res.path_length[i],
      }));
    }
  }

  return { prefetch, sweepOf };
}
