"""Browser check of the what-if explorers: the models that run in the pages agree with the models in Python.

Usage: ``python tools/check_explorers.py [_build/html] [--results _build/results]`` (``make check-explorers``;
run by ``.ci/run`` after the book build).

Chapters 04 and 05 each embed an explorer (:func:`helpers.explorer.explorer_chart`): drop-downs and a
slider whose choices the page turns into a prediction with Vega-Lite's own transforms. When the chapter
runs, it records what the page must show for a few inputs (:func:`helpers.explorer.browser_cases`, a
record with ``metric="explorer_check"`` in ``<results>/<chapter>.json``), with the predictions of the
fitted model's own ``predict``. This tool opens each built page in headless Debian Chromium driven by
Selenium (``/usr/bin/chromedriver`` of the package ``chromium-driver``; nothing is downloaded), finds
the explorer by the labels of its controls, sets the controls to each recorded input and reads the texts
the page draws (the chart renders as SVG): the prediction must equal the model's to the displayed
precision, and the reference value (DFT), the extrapolation label and the ground state must be the
recorded ones. It fails, naming page and input, when they differ, when the chart does not draw, or when
the browser console reports an error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ("04_elpasolites", "05_spin_splitting")
METRIC = "explorer_check"
TIMEOUT = 60.0  # seconds for a page to draw its explorer
SETTLE = 10.0  # seconds for the page to show the result of new choices
NUMBER = re.compile(r"[-−]?\d+(?:\.\d+)?")
#: Console errors that concern the charts: an uncaught exception anywhere, or a message of vega / the chart
#: scripts (other scripts' console.error lines, such as the theme's, are printed but do not fail the check).
CHART_ERROR = re.compile(r"Uncaught|vega|altair", re.IGNORECASE)

# the texts of the explorer (SVG <text> elements of its vega-embed container) and its controls
_JS_TEXTS = """
const box = arguments[0];
return Array.from(box.querySelectorAll('svg text')).map(t => t.textContent);
"""
_JS_CONTAINERS = """
return Array.from(document.querySelectorAll('.vega-embed')).map(box => [box,
  Array.from(box.querySelectorAll('.vega-bind-name')).map(e => e.textContent.trim())]);
"""
_JS_SET_RANGE = """
const input = arguments[0];
input.value = arguments[1];
input.dispatchEvent(new Event('input', {bubbles: true}));
input.dispatchEvent(new Event('change', {bubbles: true}));
"""


class ExplorerCheckError(RuntimeError):
    """The page does not show what the model predicts (the message names page, input and texts)."""


def find_program(names, package: str) -> str:
    for name in names:
        path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
        if path:
            return path
    sys.exit(f"check_explorers: {names[0]} not found; install it with `apt-get update && apt-get install -y {package}`")


def start_browser():
    """Headless Chromium under the system chromedriver (Selenium Manager is never asked to download)."""
    os.environ.setdefault("SE_OFFLINE", "true")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = find_program(("chromium", "chromium-browser"), "chromium")
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--window-size=1200,1600",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=find_program(("chromedriver",), "chromium-driver"))
    return webdriver.Chrome(service=service, options=options)


def expected_texts(spec: dict, case: dict) -> dict:
    """The texts the explorer must show for one recorded case (the prediction is compared numerically)."""
    unit = spec["unit"]
    out = {
        "domain": "extrapolation:" if case["extrapolation"] else "every term seen in training",
    }
    if spec.get("reference_label"):
        ref = case["reference"]
        label = spec["reference_label"]
        # vega's number format writes a minus sign (U+2212), not a hyphen
        shown = None if ref is None else f"{ref:.{spec['digits']}f}".replace("-", "−")
        out["reference"] = f"{label}: not in the data" if ref is None else f"{label}: {shown} {unit}"
    if case.get("sign") is not None:
        out["sign"] = case["sign"]
    return out


def shown_prediction(texts: list[str], spec: dict) -> float | None:
    prefix = f"predicted {spec['quantity']}: "
    for t in texts:
        if t.startswith(prefix):
            m = NUMBER.match(t[len(prefix) :])
            if m:
                return float(m.group(0).replace("−", "-"))
    return None


def compare(texts: list[str], spec: dict, case: dict) -> list[str]:
    """Why the page's ``texts`` do not match the recorded ``case`` (empty if they do)."""
    problems = []
    shown = shown_prediction(texts, spec)
    tol = 0.5 * 10.0 ** -spec["digits"] + 1e-9
    if shown is None:
        problems.append(f"no 'predicted {spec['quantity']}: …' text")
    elif abs(shown - case["predicted"]) > tol:
        problems.append(f"page shows {shown} {spec['unit']}, model.predict gives {case['predicted']:.6f}")
    want = expected_texts(spec, case)
    if not any(t.startswith(want["domain"]) for t in texts):
        problems.append(f"no text starting {want['domain']!r}")
    if "reference" in want and want["reference"] not in texts:
        problems.append(f"no text {want['reference']!r}")
    if "sign" in want and not any(t.endswith(f": {want['sign']}") for t in texts):
        problems.append(f"no text ending ': {want['sign']}'")
    return problems


def find_explorer(driver, controls: list[str]):
    """The vega-embed container whose controls carry exactly the labels ``controls`` (waits for it)."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        for box, names in driver.execute_script(_JS_CONTAINERS):
            if set(controls) <= set(names) and driver.execute_script(_JS_TEXTS, box):
                return box
        time.sleep(0.2)
    raise ExplorerCheckError(f"no drawn explorer with the controls {controls} within {TIMEOUT:.0f} s")


def set_controls(driver, box, spec: dict, inputs: dict) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    binds = {
        b.find_element(By.CSS_SELECTOR, ".vega-bind-name").get_attribute("textContent").strip(): b
        for b in box.find_elements(By.CSS_SELECTOR, ".vega-bind")
    }
    for slot, title in spec["controls"].items():
        value = inputs[slot]
        bind = binds.get(title)
        if bind is None:
            raise ExplorerCheckError(f"no control labelled {title!r}; the page has {sorted(binds)}")
        selects = bind.find_elements(By.TAG_NAME, "select")
        if selects:
            Select(selects[0]).select_by_visible_text(str(value))
        else:
            driver.execute_script(_JS_SET_RANGE, bind.find_element(By.TAG_NAME, "input"), f"{value:g}")


def check_page(driver, page: Path, spec: dict) -> list[str]:
    """Every recorded case of ``spec`` on ``page``; returns the failures (empty if none)."""
    driver.get(page.resolve().as_uri())
    box = find_explorer(driver, list(spec["controls"].values()))
    failures = []
    for case in spec["cases"]:
        set_controls(driver, box, spec, case["inputs"])
        deadline = time.monotonic() + SETTLE
        while True:  # vega updates asynchronously: wait until the page agrees, or report what it shows
            texts = driver.execute_script(_JS_TEXTS, box)
            problems = compare(texts, spec, case)
            if not problems or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        label = ", ".join(f"{k}={v}" for k, v in case["inputs"].items())
        shown = shown_prediction(texts, spec)
        print(f"  {label}: page {shown} {spec['unit']}, model.predict {case['predicted']:.6f}")
        failures += [f"{page.name} [{label}]: {p}; page texts: {texts[:6]}" for p in problems]
    for entry in driver.get_log("browser"):
        if entry.get("level") != "SEVERE":
            continue
        if CHART_ERROR.search(entry["message"]):
            failures.append(f"{page.name}: browser console error: {entry['message']}")
        else:  # e.g. the theme's "invalid theme mode" of a fresh browser profile: not the explorer's
            print(f"  (console, not from a chart: {entry['message'][:160]})")
    return failures


def load_specs(results: Path, chapter: str) -> list[dict]:
    path = results / f"{chapter}.json"
    if not path.exists():
        raise ExplorerCheckError(f"{path} not found: build the book first (make book)")
    records = [r for r in json.loads(path.read_text(encoding="utf-8")) if r.get("metric") == METRIC]
    if not records:
        raise ExplorerCheckError(f"{path} holds no {METRIC!r} record: the chapter records its explorer's cases")
    return [r["explorer"] for r in records]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html_dir", type=Path, nargs="?", default=ROOT / "_build" / "html")
    parser.add_argument("--results", type=Path, default=ROOT / "_build" / "results")
    parser.add_argument("--chapters", nargs="*", default=list(CHAPTERS))
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    failures = []
    driver = start_browser()
    try:
        for chapter in args.chapters:
            page = args.html_dir / "chapters" / f"{chapter}.html"
            try:
                if not page.exists():
                    raise ExplorerCheckError(f"{page} not found: build the book first (make book)")
                for spec in load_specs(args.results, chapter):
                    print(f"{page.relative_to(args.html_dir)}: {len(spec['cases'])} inputs")
                    failures += check_page(driver, page, spec)
            except ExplorerCheckError as err:
                failures.append(f"{chapter}: {err}")
    finally:
        driver.quit()
    for f in failures:
        print("FAIL", f, file=sys.stderr)
    seconds = time.perf_counter() - t0
    print(f"check_explorers: {len(args.chapters)} page(s), {len(failures)} failure(s), {seconds:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
