// Four embedded labs on one course page: the page only places them and counts the
// gdlab:ready messages (and keeps each lab's last gdlab:result on its frame: data-results,
// data-lr, data-surface); the labs themselves share one Python (or, where they cannot,
// take turns starting theirs). `n=` places 1 to 8 labs.

const params = new URLSearchParams(location.search);
const lab = new URL(params.get("lab") || "http://127.0.0.1:8000/");
const presets = ["watch-a-parameter-move", "rosenbrock-shootout", "watch-a-parameter-move",
                 "rosenbrock-shootout"];
const count = params.has("n") ? Number(params.get("n")) || 0 : 4;
const presetList = Array.from({ length: Math.max(0, Math.min(8, count)) }, (_, i) => presets[i % 4]);
const box = document.getElementById("labs");
const ready = new Set();

presetList.forEach((preset, i) => {
  if (i === 3 && params.get("below") === "1") {
    const spacer = document.createElement("div");
    spacer.className = "spacer";
    box.append(spacer);
  }
  const frame = document.createElement("iframe");
  frame.id = `lab${i + 1}`;
  frame.title = `Gradient Descent Lab ${i + 1}`;
  const src = new URL(lab);
  src.searchParams.set("embed", "1");
  src.searchParams.set("preset", preset);
  src.searchParams.set("id", String(i + 1));
  frame.src = src.href;
  box.append(frame);
});

window.addEventListener("message", (event) => {
  if (event.origin !== lab.origin) return;
  if (!event.data || !["gdlab:ready", "gdlab:result"].includes(event.data.type)) return;
  const frame = [...box.querySelectorAll("iframe")].find((f) => f.contentWindow === event.source);
  if (!frame) return;
  if (event.data.type === "gdlab:result") {
    frame.dataset.results = String(Number(frame.dataset.results || 0) + 1);
    frame.dataset.lr = String(event.data.lr);
    frame.dataset.surface = String(event.data.surface);
    return;
  }
  ready.add(frame.id);
  frame.dataset.ready = String(Math.round(performance.timeOrigin + performance.now()));
  document.getElementById("ready").textContent = String(ready.size);
  document.body.dataset.ready = [...ready].join(",");
});
