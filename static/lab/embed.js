// A lab inside a course page's iframe talks to its parent by postMessage:
//   parent -> lab  {type: "gdlab:set", ...state}     (other shapes are ignored)
//   lab -> parent  {type: "gdlab:ready"}             Python is ready
//                  {type: "gdlab:result", status, step, loss, diverged_at, lr, surface,
//                   optimizer, point, w}           the live run, once computed
//
//   const embed = createEmbed({ store, schema, notice, passthrough });
//   embed.ready(); embed.result(run)

import { applyParams, describeIgnored } from "../state/url.js";

export const embedded = window.parent !== window;

export function createEmbed({ store, schema, notice, passthrough }) {
  function post(msg) {
    if (embedded) window.parent.postMessage(msg, "*");
  }

  function result(run) {
    const k = run.points.length - 1;
    const point = run.points[k];
    post({
      type: "gdlab:result", status: run.status, step: k, loss: run.losses[k],
      diverged_at: run.diverged_at ?? null, lr: run.lr_base, surface: run.surface,
      optimizer: run.optimizer, point, w: point,
    });
  }

  /** A gdlab:set message as URL parameters, checked like a link. */
  function toParams(d) {
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
    return { params, refused };
  }

  window.addEventListener("message", (event) => {
    if (!embedded || event.source !== window.parent) return;
    const d = event.data;
    if (!d || typeof d !== "object" || d.type !== "gdlab:set") return;
    const { params, refused } = toParams(d);
    const applied = applyParams(store.get(), params, schema, { passthrough });
    const ignored = [...applied.ignored, ...refused];
    notice(ignored.length ? describeIgnored(ignored).replace("from the link", "from the message") : "");
    store.replace(applied.state, "message");
  });

  return { ready: () => post({ type: "gdlab:ready" }), result };
}
