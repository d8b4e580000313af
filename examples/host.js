// A course page talking to embedded labs. Everything the lab understands is in the
// README ("Put it in your course"): it answers gdlab:ready and gdlab:result, and
// takes gdlab:set with the same settings as its URL.

const params = new URLSearchParams(location.search);
const lab = new URL(params.get("lab") || "http://127.0.0.1:8000/");
const frames = {
  lab1: { preset: "watch-a-parameter-move", out: document.getElementById("result1") },
  lab2: { preset: "rosenbrock-shootout", out: document.getElementById("result2") },
};

for (const [id, { preset }] of Object.entries(frames)) {
  const src = new URL(lab);
  src.searchParams.set("embed", "1");
  src.searchParams.set("preset", preset);
  document.getElementById(id).src = src.href;
}

window.addEventListener("message", (event) => {
  if (event.origin !== lab.origin) return; // only our labs
  const data = event.data;
  if (!data || typeof data.type !== "string" || !data.type.startsWith("gdlab:")) return;
  const entry = Object.entries(frames).find(
    ([id]) => document.getElementById(id).contentWindow === event.source);
  if (!entry) return;
  const out = entry[1].out;
  if (data.type === "gdlab:ready") out.textContent = "ready";
  if (data.type === "gdlab:result") {
    out.textContent = `${data.status} · step ${data.step} · loss ${Number(data.loss).toPrecision(4)}`;
  }
});

for (const button of document.querySelectorAll("button[data-lr]")) {
  button.addEventListener("click", () => {
    document.getElementById("lab1").contentWindow.postMessage(
      { type: "gdlab:set", lr: Number(button.dataset.lr) }, lab.origin);
  });
}
