// Share and Embed: the link of what is on screen, and a ready iframe snippet for a
// course page. Both read the address bar, which always holds the state (url.js).
//
//   mountShare(container)

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

/** The iframe a course author pastes: this view with embed=1. */
export function embedSnippet(href) {
  const url = new URL(href);
  url.searchParams.set("embed", "1");
  const src = url.href.replace(/&/g, "&amp;").replace(/"/g, "&quot;");
  return `<iframe src="${src}" title="Gradient Descent Lab" width="100%" height="560" style="border:0" loading="lazy"></iframe>`;
}

const CLIPBOARD_PATIENCE_MS = 1000;

/** Show the field with the text selected, for the learner to copy by hand. */
function offer(field) {
  field.hidden = false;
  field.focus();
  field.select();
}

/**
 * Copy text to the clipboard and say so in `said`: `done` once copied, else `manual` with
 * the field shown, selected. A browser may hold the write without answering (a permission
 * it is still asking for, an unfocused window): after CLIPBOARD_PATIENCE_MS the field is
 * offered meanwhile, and `done` still follows if the write succeeds later.
 */
function copy(text, field, said, done, manual) {
  let answered = false;
  const fallback = () => {
    if (answered) return;
    answered = true;
    offer(field);
    said.textContent = manual;
  };
  const timer = setTimeout(fallback, CLIPBOARD_PATIENCE_MS);
  Promise.resolve().then(() => navigator.clipboard.writeText(text)).then(() => {
    clearTimeout(timer);
    answered = true;
    said.textContent = done;
  }, () => {       // no clipboard here (permissions, http): the field instead
    clearTimeout(timer);
    fallback();
  });
}

export function mountShare(container) {
  const share = el("button", { type: "button" }, "Share");
  const embed = el("button", { type: "button", "aria-expanded": "false", "aria-controls": "embed-box" }, "Embed");
  const said = el("span", { class: "share-said", "aria-live": "polite" });
  const linkField = el("input", { type: "text", readonly: "", "aria-label": "Link to this view", class: "share-field" });
  linkField.hidden = true;
  const box = el("div", { id: "embed-box", class: "embed-box" });
  box.hidden = true;
  const snippet = el("textarea", { readonly: "", rows: "3", "aria-label": "Embed code", class: "share-field" });
  const copySnippet = el("button", { type: "button" }, "Copy embed code");
  box.append(snippet, copySnippet);
  container.append(share, embed, said, linkField, box);

  share.addEventListener("click", () => {
    linkField.value = location.href;
    copy(location.href, linkField, said, "Link copied", "Copy the link below");
  });
  embed.addEventListener("click", () => {
    const open = box.hidden;
    box.hidden = !open;
    embed.setAttribute("aria-expanded", String(open));
    snippet.value = embedSnippet(location.href);
  });
  copySnippet.addEventListener("click", () => {
    snippet.value = embedSnippet(location.href);
    copy(snippet.value, snippet, said, "Embed code copied", "Copy the code above");
  });
}
