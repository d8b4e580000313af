// The host side of the embed flow: the lab's messages kept in window.heard (origin
// checked, as README "Talking to the lab" asks), and send() for gdlab:set.
const params = new URLSearchParams(location.search);
const lab = new URL(params.get("lab"));
const frame = document.getElementById("lab");
const src = new URL(lab);
for (const [k, v] of new URLSearchParams(params.get("query") || "")) src.searchParams.set(k, v);
src.searchParams.set("embed", "1");
frame.src = src.href;

window.heard = [];
window.addEventListener("message", (event) => {
  if (event.origin !== lab.origin || event.source !== frame.contentWindow) return;
  window.heard.push(event.data);
});
window.send = (message) => frame.contentWindow.postMessage(message, lab.origin);
