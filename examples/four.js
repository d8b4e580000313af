// Four embedded labs on one course page: the page only places them and counts the
// gdlab:ready messages; the labs themselves take turns starting Python.

const params = new URLSearchParams(location.search);
const lab = new URL(params.get("lab") || "http://127.0.0.1:8000/");
const presets = ["watch-a-parameter-move", "rosenbrock-shootout", "watch-a-parameter-move",
                 "rosenbrock-shootout"].slice(0, Number(params.get("n")) || 4);
const box = document.getElementById("labs");
const ready = new Set();

presets.forEach((preset, i) => {
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
  if (!event.data || event.data.type !== "gdlab:ready") return;
  const frame = [...box.querySelectorAll("iframe")].find((f) => f.contentWindow === event.source);
  if (!frame) return;
  ready.add(frame.id);
  frame.dataset.ready = String(Math.round(performance.timeOrigin + performance.now()));
  document.getElementById("ready").textContent = String(ready.size);
  document.body.dataset.ready = [...ready].join(",");
});
