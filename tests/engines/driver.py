"""One small browser interface for the cross-engine flows, with three implementations.

    Chromium       Playwright (as tests/e2e/), Debian's /usr/bin/chromium
    Firefox ESR    WebDriver BiDi over a websocket (this file's BidiClient), no geckodriver
    WebKitGTK      Selenium's webdriver.WebKitGTK with /usr/bin/WebKitWebDriver and the
                   MiniBrowser in --automation mode, under an Xvfb this file starts

Each engine implements only the primitives (goto, call a JS function, pointer and touch
at page coordinates, keys, viewport, screenshot, downloads). Everything a flow uses on
top of them (find a control by its accessible name, click it, focus it, read the page's
data-* states, wait for a state) is written once here, in terms of those primitives:
controls are found by a small resolver in the page and clicked with real input events
at their centre.

JavaScript is always a function source, called with JSON arguments; it returns JSON
(`Driver.js("(a, b) => a + b", 1, 2)`). The driver's own calls are not string
evaluations of the page, so the lab's CSP (no eval) does not block them in any engine;
the pages are served with the CSP, as in tests/e2e/.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
FIREFOX = Path("/usr/bin/firefox-esr")
WEBKIT_DRIVER = Path("/usr/bin/WebKitWebDriver")
MINIBROWSER = Path("/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser")
XVFB = Path("/usr/bin/Xvfb")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

ENGINES = ("chromium", "firefox", "webkit")
MISSING = {"chromium": [CHROMIUM], "firefox": [FIREFOX], "webkit": [WEBKIT_DRIVER, MINIBROWSER, XVFB]}

# WebDriver's key codes (the W3C spec's table), for BiDi and Selenium
KEYS = {"Tab": "\ue004", "Enter": "\ue007", "Escape": "\ue00c", "Backspace": "\ue003",
        "Delete": "\ue017", "Home": "\ue011", "End": "\ue010", "ArrowLeft": "\ue012",
        "ArrowUp": "\ue013", "ArrowRight": "\ue014", "ArrowDown": "\ue015", "PageUp": "\ue00e",
        "PageDown": "\ue00f", "Control": "\ue009", "Shift": "\ue008", "Alt": "\ue00a", "Space": " "}

# Errors the page reports, caught in the page itself in every engine (Playwright and BiDi
# also see console errors): uncaught errors, rejected promises, CSP violations.
ERROR_TRAP = """() => {
  if (window.__gdErrors) return true;
  window.__gdErrors = [];
  addEventListener('error', (e) => __gdErrors.push('page error: ' + (e.message || e.type)));
  addEventListener('unhandledrejection', (e) => __gdErrors.push('unhandled rejection: ' + (e.reason && e.reason.message || e.reason)));
  document.addEventListener('securitypolicyviolation', (e) => __gdErrors.push('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));
  return true;
}"""

# Find one element: by CSS, or by role and accessible name (buttons by text or
# aria-label, form controls by <label>/aria-label, regions by aria-label). Returns the
# element's centre in viewport coordinates after scrolling it into view.
FIND = """
function gdFind(q) {
  if (q.css) return document.querySelector(q.css);
  const name = (el) => (el.getAttribute('aria-label') || (el.labels && el.labels[0] && el.labels[0].textContent)
                        || el.textContent || '').trim().replace(/\\s+/g, ' ');
  const sel = { button: 'button, [role=button], input[type=button], input[type=submit]',
                textbox: 'input:not([type]), input[type=text], input[type=number], textarea, [contenteditable=true][role=textbox], .cm-content',
                combobox: 'select', slider: 'input[type=range]', region: 'section[aria-label], [role=region]',
                status: '[role=status]', log: '[role=log]', link: 'a[href]', any: '*' }[q.role || 'any'];
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const all = Array.from(document.querySelectorAll(sel)).filter((el) => name(el) === q.name);
  return all.find(visible) || all[0] || null;
}
"""
CENTRE = "(q) => {" + FIND + """
  const el = gdFind(q);
  if (!el) return null;
  el.scrollIntoView({ block: 'center', inline: 'center' });
  const r = el.getBoundingClientRect();
  return { x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width, h: r.height,
           disabled: !!el.disabled, visible: r.width > 0 && r.height > 0 };
}"""
FOCUS = "(q) => {" + FIND + " const el = gdFind(q); if (!el) return false; el.focus(); return document.activeElement === el || el.contains(document.activeElement); }"
PROP = "(q, prop) => {" + FIND + " const el = gdFind(q); return el ? (prop in el ? el[prop] : el.getAttribute(prop)) : null; }"
ACTIVE_NAME = """() => { const e = document.activeElement; if (!e) return null;
  if (e.closest('.cm-editor')) return 'Code';
  return ((e.getAttribute('aria-label') || (e.labels && e.labels[0] && e.labels[0].textContent) || e.textContent || '')
          .trim().replace(/\\s+/g, ' ')); }"""

BLOB_TRAP = """() => {
  window.__gdDownload = null;
  if (window.__gdBlobs) return true;
  window.__gdBlobs = new Map();
  const make = URL.createObjectURL;
  URL.createObjectURL = (obj) => { const u = make.call(URL, obj); __gdBlobs.set(u, obj); return u; };
  const click = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function () {
    if (this.hasAttribute('download') && __gdBlobs.has(this.href)) {
      window.__gdDownload = { name: this.download, blob: __gdBlobs.get(this.href) };
      return;
    }
    return click.call(this);
  };
  return true;
}"""
BLOB_READ = """async () => {
  const d = window.__gdDownload;
  if (!d) return null;
  const bytes = new Uint8Array(await d.blob.arrayBuffer());
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return { name: d.name, b64: btoa(s) };
}"""


class Timeout(AssertionError):
    pass


class Driver:
    """What the flows use. Subclasses implement the primitives marked "engine"."""

    name = "?"

    # --- engine primitives ------------------------------------------------------------
    def _goto(self, url: str) -> None: raise NotImplementedError
    def _call(self, fn: str, args: list): raise NotImplementedError          # -> JSON value
    def pointer(self, steps: list[tuple], kind: str = "mouse") -> None:       # [("move", x, y) | ("down",) | ("up",) | ("pause", ms)]
        raise NotImplementedError
    def press(self, *keys: str) -> None: raise NotImplementedError              # "Tab", "Control+A", "a", ...
    def type(self, text: str) -> None: raise NotImplementedError                # "\n" is the Enter key
    def set_viewport(self, width: int, height: int) -> None: raise NotImplementedError
    def screenshot(self, path: Path) -> None: raise NotImplementedError
    def expect_download(self, action) -> tuple[str, bytes]: raise NotImplementedError
    def native_errors(self) -> list[str]: return []
    def close(self) -> None: pass

    # --- written once -----------------------------------------------------------------
    def goto(self, url: str) -> None:
        self._goto(url)
        # polled, as the trap is idempotent: WebKitWebDriver may answer a script of a page
        # that is busy starting with "Could not parse script result"
        self.wait_until(lambda: self.js(ERROR_TRAP), 30, "the page's error trap")

    def js(self, fn: str, *args):
        """Call a JS function source in the page with JSON arguments; its JSON result."""
        wrapped = f"async (argsJson) => JSON.stringify(await ({fn})(...JSON.parse(argsJson)) ?? null)"
        out = self._call(wrapped, [json.dumps(list(args))])
        return None if out is None else json.loads(out)

    def errors(self) -> list[str]:
        try:
            page = self.js("() => window.__gdErrors || []")
        except Exception as exc:   # the page is gone; say so rather than hide it
            page = [f"(could not read the page's errors: {exc})"]
        return page + self.native_errors()

    def locate(self, role: str | None = None, name: str | None = None, css: str | None = None):
        return self.js(CENTRE, {"role": role, "name": name, "css": css})

    def click(self, role: str | None = None, name: str | None = None, css: str | None = None,
              timeout: float = 10.0) -> None:
        """A real mouse click at the centre of the control (waits until it is enabled)."""
        what = f"{role or ''} {name or css!r}".strip()
        box = self.wait_until(lambda: (b := self.locate(role, name, css)) and b["visible"] and not b["disabled"] and b,
                              timeout, f"{what} to be visible and enabled")
        self.click_at(box["x"], box["y"])

    def click_at(self, x: float, y: float) -> None:
        self.pointer([("move", x, y), ("down",), ("up",)])

    def drag(self, x0, y0, x1, y1, kind="mouse", moves=8) -> None:
        steps = [("move", x0, y0), ("down",)]
        steps += [("move", x0 + (x1 - x0) * i / moves, y0 + (y1 - y0) * i / moves) for i in range(1, moves + 1)]
        self.pointer(steps + [("up",)], kind)

    def tap(self, x, y) -> None:
        self.pointer([("move", x, y), ("down",), ("up",)], "touch")

    def focus(self, role=None, name=None, css=None) -> bool:
        return self.js(FOCUS, {"role": role, "name": name, "css": css})

    def prop(self, prop: str, role=None, name=None, css=None):
        return self.js(PROP, {"role": role, "name": name, "css": css}, prop)

    def active_name(self) -> str | None:
        return self.js(ACTIVE_NAME)

    def text(self, css: str) -> str:
        return self.js("(c) => { const e = document.querySelector(c); return e ? e.textContent : null; }", css)

    def blob_download(self, action, timeout: float = 30.0) -> tuple[str, bytes]:
        """A download read where the page makes it: the Blob given to URL.createObjectURL
        and the name of the <a download> clicked (its navigation is kept from happening)."""
        self.js(BLOB_TRAP)
        action()
        got = self.wait_until(lambda: self.js(BLOB_READ), timeout, "the page to hand a file to a download link")
        return got["name"], base64.b64decode(got["b64"])

    def wait_until(self, fn, timeout: float = 20.0, what: str = "the condition", interval: float = 0.05):
        deadline = time.monotonic() + timeout
        last = None
        while True:
            try:
                last = fn()
            except Timeout:
                raise
            except Exception as exc:   # the page may be between states (a navigation, a restart)
                last = exc
            else:
                if last:
                    return last
            if time.monotonic() > deadline:
                raise Timeout(f"[{self.name}] timed out after {timeout} s waiting for {what} (last: {last!r})")
            time.sleep(interval)


# --- Chromium: Playwright --------------------------------------------------------------

class PlaywrightDriver(Driver):
    """Chromium through Playwright's sync API (one browser per module, a context per
    driver). `throttle` sets CDP's CPU throttling rate on every page."""

    name = "chromium"

    def __init__(self, browser, viewport=(1280, 900), throttle: float = 1.0, **context_options):
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                           accept_downloads=True, **context_options)
        self.page = self.context.new_page()
        self._console: list[str] = []
        self.page.on("console", lambda m: (m.type == "error" or "Content Security Policy" in m.text)
                     and self._console.append(f"console {m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self._console.append(f"page error: {e}"))
        self.cdp = self.context.new_cdp_session(self.page)
        if throttle != 1.0:
            self.cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
        self.finger_down = False

    def _goto(self, url):
        self.page.goto(url)

    def _call(self, fn, args):
        return self.page.evaluate(f"(a) => ({fn})(...a)", args)

    def pointer(self, steps, kind="mouse"):
        if kind == "touch":
            return self._touch(steps)
        mouse = self.page.mouse
        for step in steps:
            if step[0] == "move":
                mouse.move(step[1], step[2])
            elif step[0] == "down":
                mouse.down()
            elif step[0] == "up":
                mouse.up()
            elif step[0] == "pause":
                time.sleep(step[1] / 1000)

    def _touch(self, steps):
        """Touch events through CDP (Input.dispatchTouchEvent): what a finger sends."""
        at = None
        for step in steps:   # self.finger_down: a drag may span several calls
            if step[0] == "move":
                # one finger with an id, a size and a force: without an id Chromium
                # delivered the touchstart but none of the touchmoves
                at = {"x": step[1], "y": step[2], "id": 1, "radiusX": 5, "radiusY": 5, "force": 1}
                if self.finger_down:
                    self.cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [at]})
            elif step[0] == "down":
                self.finger_down = True
                self.cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [at]})
            elif step[0] == "up":
                self.finger_down = False
                self.cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
            elif step[0] == "pause":
                time.sleep(step[1] / 1000)

    def press(self, *keys):
        for key in keys:
            self.page.keyboard.press(key)

    def type(self, text):
        self.page.keyboard.type(text)

    def set_viewport(self, width, height):
        self.page.set_viewport_size({"width": width, "height": height})

    def screenshot(self, path):
        self.page.screenshot(path=str(path))

    def expect_download(self, action):
        with self.page.expect_download() as info:
            action()
        d = info.value
        return d.suggested_filename, Path(d.path()).read_bytes()

    def native_errors(self):
        return list(self._console)

    def close(self):
        self.context.close()


# --- Firefox ESR: WebDriver BiDi over a websocket ----------------------------------------

FIREFOX_PREFS = {
    "browser.shell.checkDefaultBrowser": False, "browser.startup.homepage_override.mstone": "ignore",
    "datareporting.policy.dataSubmissionEnabled": False, "toolkit.telemetry.reportingpolicy.firstRun": False,
    "app.update.disabledForTesting": True, "app.normandy.enabled": False,
    "messaging-system.rsexperimentloader.enabled": False, "network.captive-portal-service.enabled": False,
    "browser.safebrowsing.malware.enabled": False, "browser.safebrowsing.phishing.enabled": False,
    "extensions.update.enabled": False, "browser.download.folderList": 2,
    "browser.download.useDownloadDir": True, "browser.download.always_ask_before_handling_new_types": False,
    "browser.download.alwaysOpenPanel": False, "media.autoplay.default": 0,
    "gfx.webrender.software": True, "layers.acceleration.disabled": True,
}


class BidiClient:
    """A minimal WebDriver BiDi client: commands by id, events into a list."""

    def __init__(self, url: str):
        from websockets.sync.client import connect

        self._connection = connect(url, max_size=None, open_timeout=30)
        self.ws = self._connection.__enter__()   # websockets 17 wants its connection entered
        self._next = 0
        self._lock = threading.Lock()
        self._waiting: dict[int, dict] = {}
        self._cond = threading.Condition()
        self.events: list[dict] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        try:
            for raw in self.ws:
                msg = json.loads(raw)
                with self._cond:
                    if "id" in msg:
                        self._waiting[msg["id"]] = msg
                    else:
                        self.events.append(msg)
                    self._cond.notify_all()
        except Exception:
            pass
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def send(self, method: str, timeout: float = 120.0, **params):
        with self._lock:
            self._next += 1
            mid = self._next
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        with self._cond:
            if not self._cond.wait_for(lambda: mid in self._waiting or getattr(self, "_closed", False), timeout):
                raise TimeoutError(f"BiDi {method}: no answer in {timeout} s")
            if mid not in self._waiting:
                raise ConnectionError(f"BiDi {method}: the browser closed the connection")
            msg = self._waiting.pop(mid)
        if msg.get("type") == "error":
            raise RuntimeError(f"BiDi {method}: {msg.get('error')}: {msg.get('message')}")
        return msg["result"]

    def wait_event(self, method: str, match=lambda e: True, timeout: float = 30.0, since: int = 0):
        with self._cond:
            found = self._cond.wait_for(lambda: next((e for e in self.events[since:] if e["method"] == method
                                                      and match(e["params"])), None), timeout)
        if not found:
            raise TimeoutError(f"BiDi: no {method} event in {timeout} s")
        return found["params"]

    def close(self):
        try:
            self._connection.__exit__(None, None, None)
        except Exception:
            pass


class FirefoxBrowser:
    """firefox-esr --headless with the remote agent; its BiDi session (one per module)."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="gdlab-firefox-"))
        self.profile = self.dir / "profile"
        self.downloads = self.dir / "downloads"
        self.profile.mkdir()
        self.downloads.mkdir()
        prefs = {**FIREFOX_PREFS, "browser.download.dir": str(self.downloads)}
        (self.profile / "user.js").write_text("".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n"
                                                      for k, v in prefs.items()))
        self.log = self.dir / "stderr.log"
        with open(self.log, "w") as log:   # a file, not a pipe: nothing blocks when no one reads it
            self.proc = subprocess.Popen([str(FIREFOX), "--headless", "--no-remote", "--remote-debugging-port=0",
                                          "-profile", str(self.profile), "about:blank"],
                                         stdout=log, stderr=log, start_new_session=True)
        url = None
        deadline = time.monotonic() + 60
        while url is None:
            m = re.search(r"WebDriver BiDi listening on (ws://\S+)", self.log.read_text(errors="replace"))
            if m:
                url = m.group(1)
            elif self.proc.poll() is not None or time.monotonic() > deadline:
                self.quit()
                raise RuntimeError("Firefox did not start its BiDi server:\n" + self.log.read_text()[-2000:])
            else:
                time.sleep(0.05)
        self.bidi = BidiClient(url.rstrip("/") + "/session")
        self.bidi.send("session.new", capabilities={"alwaysMatch": {"acceptInsecureCerts": False,
                                                                    "unhandledPromptBehavior": "ignore"}})
        self.bidi.send("session.subscribe", events=["log.entryAdded", "browsingContext.downloadWillBegin",
                                                    "browsingContext.downloadEnd"])
        try:
            self.bidi.send("browser.setDownloadBehavior", downloadBehavior={"type": "allowed",
                                                                            "destinationFolder": str(self.downloads)})
        except RuntimeError:
            pass   # older Firefox: the profile's download prefs apply

    def quit(self):
        if hasattr(self, "bidi"):
            try:
                self.bidi.send("session.end", timeout=5)
            except Exception:
                pass
            self.bidi.close()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)   # firefox and its content processes, started by us in their own group
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
        shutil.rmtree(self.dir, ignore_errors=True)


class BidiDriver(Driver):
    """A tab of the module's Firefox, driven over BiDi."""

    name = "firefox"

    def __init__(self, browser: FirefoxBrowser, viewport=(1280, 900)):
        self.browser = browser
        self.bidi = browser.bidi
        self.context = self.bidi.send("browsingContext.create", type="tab")["context"]
        self._since = len(self.bidi.events)
        self.set_viewport(*viewport)

    def _goto(self, url):
        self._since = len(self.bidi.events)
        self.bidi.send("browsingContext.navigate", context=self.context, url=url, wait="complete")

    def _call(self, fn, args):
        r = self.bidi.send("script.callFunction", functionDeclaration=fn, awaitPromise=True,
                           target={"context": self.context},
                           arguments=[{"type": "string", "value": a} for a in args])
        if r.get("type") == "exception":
            d = r["exceptionDetails"]
            raise RuntimeError(f"page script threw: {d.get('text')}")
        value = r["result"]
        return value.get("value") if value.get("type") == "string" else None

    def _actions(self, source: dict):
        self.bidi.send("input.performActions", context=self.context, actions=[source])
        self.bidi.send("input.releaseActions", context=self.context)

    def pointer(self, steps, kind="mouse"):
        acts = []
        for step in steps:
            if step[0] == "move":
                acts.append({"type": "pointerMove", "x": int(round(step[1])), "y": int(round(step[2])),
                             "origin": "viewport", "duration": 0})
            elif step[0] == "down":
                acts.append({"type": "pointerDown", "button": 0})
            elif step[0] == "up":
                acts.append({"type": "pointerUp", "button": 0})
            elif step[0] == "pause":
                acts.append({"type": "pause", "duration": int(step[1])})
        self._actions({"type": "pointer", "id": kind, "parameters": {"pointerType": kind}, "actions": acts})

    def press(self, *keys):
        for key in keys:
            parts = [KEYS.get(k, k) for k in key.split("+")] if key != "+" else ["+"]
            acts = [{"type": "keyDown", "value": p} for p in parts] + [{"type": "keyUp", "value": p} for p in reversed(parts)]
            self._actions({"type": "key", "id": "keyboard", "actions": acts})

    def type(self, text):
        acts = []
        for ch in text:
            v = KEYS["Enter"] if ch == "\n" else ch
            acts += [{"type": "keyDown", "value": v}, {"type": "keyUp", "value": v}]
        self._actions({"type": "key", "id": "keyboard", "actions": acts})

    def set_viewport(self, width, height):
        self.bidi.send("browsingContext.setViewport", context=self.context,
                       viewport={"width": width, "height": height})

    def screenshot(self, path):
        data = self.bidi.send("browsingContext.captureScreenshot", context=self.context)["data"]
        Path(path).write_bytes(base64.b64decode(data))

    def expect_download(self, action):
        since = len(self.bidi.events)
        action()
        end = self.bidi.wait_event("browsingContext.downloadEnd", since=since, timeout=30)
        assert end.get("status") == "complete", end
        path = Path(end["filepath"])
        begin = self.bidi.wait_event("browsingContext.downloadWillBegin", since=since, timeout=1)
        return begin.get("suggestedFilename") or path.name, path.read_bytes()

    def native_errors(self):
        out = []
        for e in self.bidi.events[self._since:]:
            p = e["params"]
            if e["method"] == "log.entryAdded" and p.get("source", {}).get("context") == self.context \
                    and (p.get("level") == "error" or "Content-Security-Policy" in (p.get("text") or "")):
                out.append(f"console {p.get('level')}: {p.get('text')}")
        return out

    def close(self):
        try:
            self.bidi.send("browsingContext.close", context=self.context, timeout=10)
        except Exception:
            pass


# --- WebKitGTK: Selenium + WebKitWebDriver + MiniBrowser, under Xvfb ---------------------

class Xvfb:
    """An X server on a free display number, for the MiniBrowser (it has no headless mode)."""

    def __init__(self):
        for display in range(99, 199):
            if not Path(f"/tmp/.X11-unix/X{display}").exists() and not Path(f"/tmp/.X{display}-lock").exists():
                break
        self.display = f":{display}"
        self.proc = subprocess.Popen([str(XVFB), self.display, "-screen", "0", "1600x1200x24", "-nolisten", "tcp"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 20
        while not Path(f"/tmp/.X11-unix/X{display}").exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Xvfb did not start on {self.display}")
            time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebKitBrowser:
    """WebKitWebDriver and one Selenium session (the MiniBrowser) per module."""

    def __init__(self):
        from selenium import webdriver
        from selenium.webdriver.webkitgtk.service import Service

        self.xvfb = Xvfb()
        opts = webdriver.WebKitGTKOptions()
        opts.binary_location = str(MINIBROWSER)
        opts.add_argument("--automation")
        service = Service(executable_path=str(WEBKIT_DRIVER), port=free_port(),
                          env={**os.environ, "DISPLAY": self.xvfb.display})
        try:
            self.driver = webdriver.WebKitGTK(options=opts, service=service)
        except Exception:
            self.xvfb.stop()
            raise
        self.driver.set_script_timeout(120)

    def quit(self):
        try:
            self.driver.quit()
        finally:
            self.xvfb.stop()


class SeleniumDriver(Driver):
    """The module's MiniBrowser window, driven by Selenium."""

    name = "webkit"

    def __init__(self, browser: WebKitBrowser, viewport=(1280, 900)):
        self.browser = browser
        self.d = browser.driver
        self.set_viewport(*viewport)

    def _goto(self, url):
        self.d.get(url)

    def _call(self, fn, args):
        return self.d.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            f"Promise.resolve().then(() => ({fn})(...Array.from(arguments).slice(0, -1)))"
            ".then(done, (e) => done(JSON.stringify({__gdThrew: String(e && e.stack || e)})));", *args)

    def js(self, fn, *args):
        out = super().js(fn, *args)
        if isinstance(out, dict) and "__gdThrew" in out:
            raise RuntimeError(f"page script threw: {out['__gdThrew']}")
        return out

    def pointer(self, steps, kind="mouse"):
        from selenium.webdriver.common.actions.action_builder import ActionBuilder
        from selenium.webdriver.common.actions.pointer_input import PointerInput
        from selenium.webdriver.common.actions import interaction

        source = PointerInput(interaction.POINTER_TOUCH if kind == "touch" else interaction.POINTER_MOUSE, kind)
        builder = ActionBuilder(self.d, mouse=source)
        for step in steps:
            if step[0] == "move":
                source.create_pointer_move(duration=0, x=int(round(step[1])), y=int(round(step[2])), origin="viewport")
            elif step[0] == "down":
                source.create_pointer_down(button=0)
            elif step[0] == "up":
                source.create_pointer_up(button=0)
            elif step[0] == "pause":
                source.create_pause(step[1] / 1000)
        builder.perform()

    def press(self, *keys):
        from selenium.webdriver.common.action_chains import ActionChains

        for key in keys:
            parts = [KEYS.get(k, k) for k in key.split("+")] if key != "+" else ["+"]
            chain = ActionChains(self.d)
            for p in parts[:-1]:
                chain.key_down(p)
            chain.send_keys(parts[-1])
            for p in reversed(parts[:-1]):
                chain.key_up(p)
            chain.perform()

    def type(self, text):
        from selenium.webdriver.common.action_chains import ActionChains

        ActionChains(self.d).send_keys(text.replace("\n", KEYS["Enter"])).perform()   # WebKit wants Enter, not "\n"

    def set_viewport(self, width, height):
        """The window sized so that its viewport (innerWidth x innerHeight) is width x height."""
        self.d.set_window_size(width, height)
        for _ in range(3):
            inner = self.d.execute_script("return [innerWidth, innerHeight]")
            if inner == [width, height]:
                return
            size = self.d.get_window_size()
            self.d.set_window_size(size["width"] + width - inner[0], size["height"] + height - inner[1])

    def screenshot(self, path):
        self.d.save_screenshot(str(path))

    def expect_download(self, action):
        """WebKitWebDriver has no download events (and the MiniBrowser no download folder
        to set): the file is read from the Blob the page hands to its download link."""
        return self.blob_download(action)

    def close(self):
        try:
            self.d.get("about:blank")
        except Exception:
            pass
