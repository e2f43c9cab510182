#!/usr/bin/env python3
"""Real-browser test of the bound explorer (`pvar serve`), run by `make test`.

Starts `pvar serve --port 0` on loopback and headless Chromium (Debian's `chromium`, installed by
`make deps`), and drives the page through the Chrome DevTools Protocol (`websocket-client` from
PyPI) as a user would: keys on a slider, a mouse click on a button, Enter on another. After each
step it reads what the page *displays* and compares it with `pvar evaluate` on the instance file
the page shows:

1. the page loads, computes, and links no resource from elsewhere (every request went to the server);
2. six presses of the right arrow on the reward slider of response 2: the displayed reward is the
   slider's, and the displayed gradient norm, PVar of the labels and B2's ratio equal `pvar
   evaluate`'s (as doubles, exactly);
3. keys on the first logit slider move the policy off the reference: B2 is shown as not applying;
4. a click on "Put the policy at the reference": B2 applies, as `pvar evaluate` says;
5. Enter on "Certify the verdicts": the certified verdicts are `pvar evaluate --certify`'s;
6. a bad number (reference weight 0): the page shows the API's one-line error;
7. the screenshot (PNG) of step 5's page is saved (`--screenshot`; `make screenshot` writes
   Reports/explorer.png, which the README shows).

Exit status 0 when every check passes, 1 otherwise (each failure printed); the run's time is printed.
"""

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

# How long to wait for the server, the browser or the page to answer (seconds). Generous: a
# loaded CI machine can take a few seconds to start Chromium; a passing run takes about 3 s.
TIMEOUT = 30.0


class Failure(Exception):
    pass


def wait_for(what, condition, timeout=TIMEOUT, interval=0.05):
    """Polls `condition()` until it returns a truthy value; raises Failure naming `what` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failure(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


class Browser:
    """One page of headless Chromium, driven over the DevTools protocol."""

    def __init__(self, chromium, width, height):
        self.profile = tempfile.mkdtemp(prefix="pvar-chromium-")
        args = [chromium, "--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--hide-scrollbars",
                "--remote-debugging-port=0", f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}", "about:blank"]
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        wait_for("Chromium's DevTools port", lambda: os.path.exists(port_file) and open(port_file).read().strip())
        port = open(port_file).read().split()[0]
        targets = wait_for("a page target", lambda: [t for t in json.load(
            urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5)) if t.get("type") == "page"])
        self.socket = websocket.create_connection(targets[0]["webSocketDebuggerUrl"], timeout=TIMEOUT,
                                                  suppress_origin=True)
        self.next_id = 0
        self.requests = []
        self.call("Page.enable")
        self.call("Network.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("method") == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"]["url"])
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise Failure(f"{method}: {message['error']}")
                return message.get("result", {})

    def js(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise Failure(f"script error in {expression!r}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def text(self, element_id):
        return self.js(f"document.getElementById({json.dumps(element_id)}).textContent")

    def key(self, key, code, key_code, count=1, text=None):
        """`count` presses of a key (`text`: the character it types, e.g. "\\r" for Enter)."""
        for _ in range(count):
            extra = {"text": text} if text else {}
            self.call("Input.dispatchKeyEvent", type="keyDown", key=key, code=code,
                      windowsVirtualKeyCode=key_code, nativeVirtualKeyCode=key_code, **extra)
            self.call("Input.dispatchKeyEvent", type="keyUp", key=key, code=code,
                      windowsVirtualKeyCode=key_code, nativeVirtualKeyCode=key_code)

    def click(self, element_id):
        box = self.js(f"""(() => {{ const e = document.getElementById({json.dumps(element_id)});
            e.scrollIntoView({{block: "center"}}); const r = e.getBoundingClientRect();
            return [r.left + r.width / 2, r.top + r.height / 2]; }})()""")
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)

    def close(self):
        try:
            self.socket.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            shutil.rmtree(self.profile, ignore_errors=True)


def start_server(pvar):
    """`pvar serve --port 0`: the process and the address it prints."""
    process = subprocess.Popen([pvar, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if "is at " not in line:
        process.kill()
        raise Failure(f"pvar serve did not print its address: {line!r} {process.stderr.read()!r}")
    return process, line.split("is at ")[1].split()[0]


def evaluate(pvar, instance_text, certify=False):
    """`pvar evaluate` on the instance the page shows, parsed (Python reads decimals correctly rounded)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(instance_text)
        path = f.name
    try:
        out = subprocess.run([pvar, "evaluate", "--input", path] + (["--certify"] if certify else []),
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(path)
    return json.loads(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pvar", required=True, help="the pvar binary (pvar-serve must be next to it)")
    parser.add_argument("--chromium", default="chromium")
    parser.add_argument("--screenshot", default=".build/browser/explorer.png")
    args = parser.parse_args()
    started = time.monotonic()
    checks, failures = 0, []

    def check(condition, message):
        nonlocal checks
        checks += 1
        if not condition:
            failures.append(message)
            print("FAIL:", message)

    server, url = start_server(args.pvar)
    browser = None
    try:
        browser = Browser(args.chromium, 1800, 1150)
        browser.call("Page.navigate", url=url)

        def settled(previous_seq=None):
            state = browser.js("document.getElementById('status')?.dataset.state")
            seq = int(browser.js("document.getElementById('status')?.dataset.seq") or 0)
            return state == "ready" and (previous_seq is None or seq > previous_seq)

        def seq():
            return int(browser.js("document.getElementById('status').dataset.seq"))

        def shown_instance():
            return browser.text("instance-json")

        def compare(step, instance_text):
            e = evaluate(args.pvar, instance_text)
            check(float(browser.text("q-gradientNorm")) == e["gradientNorm"],
                  f"{step}: gradient norm shown {browser.text('q-gradientNorm')} vs pvar evaluate {e['gradientNorm']}")
            check(float(browser.text("q-pvarLabels")) == e["pvarLabels"],
                  f"{step}: PVar of the labels shown {browser.text('q-pvarLabels')} vs {e['pvarLabels']}")
            check(float(browser.text("ratio-B2")) == e["bounds"]["B2"]["ratio"],
                  f"{step}: B2's ratio shown {browser.text('ratio-B2')} vs {e['bounds']['B2']['ratio']}")
            check(browser.text("applies-B2") == ("yes" if e["bounds"]["B2"]["applies"] else "no"),
                  f"{step}: B2 applies shown {browser.text('applies-B2')} vs {e['bounds']['B2']['applies']}")
            return e

        # 1. The page loads and computes; every request went to the server.
        wait_for("the first computation", settled)
        origin = url.rstrip("/")
        foreign = [r for r in browser.requests if not r.startswith(origin) and not r.startswith("data:")]
        check(not foreign, f"requests outside the server: {foreign}")

        # 2. Six right-arrow presses on the reward slider of response 2.
        before = seq()
        browser.js("document.getElementById('reward-1').focus()")
        browser.key("ArrowRight", "ArrowRight", 39, count=6)
        wait_for("the page after the reward slider moved", lambda: settled(before))
        slider = browser.js("document.getElementById('reward-1').value")
        instance = shown_instance()
        check(json.loads(instance)["rewards"][1] == float(slider) and float(slider) != 1.0,
              f"reward 2: slider {slider}, instance {json.loads(instance)['rewards']}")
        check(browser.js("document.getElementById('reward-1-value').value") == slider, "the reward's number field follows its slider")
        compare("after the reward slider", instance)

        # 3. Move the first logit: the policy leaves the reference, B2 no longer applies.
        before = seq()
        browser.js("document.getElementById('logit-0').focus()")
        browser.key("ArrowRight", "ArrowRight", 39, count=10)
        wait_for("the page after the logit slider moved", lambda: settled(before))
        e = compare("off the reference", shown_instance())
        check(not e["atReference"] and browser.text("applies-B2") == "no", "off the reference: B2 shown as not applying")

        # 4. Click "Put the policy at the reference".
        before = seq()
        browser.click("at-reference")
        wait_for("the page at the reference", lambda: settled(before))
        e = compare("at the reference", shown_instance())
        check(e["atReference"] and e["bounds"]["B2"]["applies"] and browser.text("applies-B2") == "yes",
              "at the reference: B2 applies")

        # 5. Enter on "Certify the verdicts".
        browser.js("document.getElementById('certify').focus()")
        browser.key("Enter", "Enter", 13, text="\r")
        wait_for("the certified verdicts", lambda: browser.text("certified-B3") != "")
        certified = evaluate(args.pvar, shown_instance(), certify=True)["certified"]["bounds"]
        for b in ("B0", "B1", "B2", "B3"):
            check(browser.text(f"certified-{b}") == certified[b]["verdict"],
                  f"certified {b}: shown {browser.text(f'certified-{b}')} vs {certified[b]['verdict']}")

        # 7. The screenshot (taken before step 6 changes the page).
        browser.js("window.scrollTo(0, 0)")
        shot = base64.b64decode(browser.call("Page.captureScreenshot", format="png")["data"])
        os.makedirs(os.path.dirname(os.path.abspath(args.screenshot)), exist_ok=True)
        with open(args.screenshot, "wb") as f:
            f.write(shot)
        check(shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 10_000, "the screenshot is a PNG")

        # 6. A reference weight of 0: the API's one-line error on the page.
        browser.js("""(() => { const f = document.getElementById('ref-0-value'); f.value = '0';
            f.dispatchEvent(new Event('change')); })()""")
        wait_for("the error", lambda: browser.js("document.getElementById('status')?.dataset.state") == "error")
        check(browser.text("status").startswith("pvar: error: referenceWeights[0]: "), f"error shown: {browser.text('status')!r}")
    except Failure as error:
        failures.append(str(error))
        print("FAIL:", error)
    finally:
        if browser:
            browser.close()
        server.terminate()
        server.wait(timeout=10)

    seconds = time.monotonic() - started
    if failures:
        print(f"browser test: {len(failures)} of {checks} checks failed ({seconds:.1f} s)")
        return 1
    print(f"browser test: {checks} checks passed in {seconds:.1f} s (headless Chromium; screenshot {args.screenshot})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
