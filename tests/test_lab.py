"""`make lab` serves the chapters as notebooks, on the project's kernel, with the data-mirror setting.

Tested as a reader would use it, without a browser: the test runs ``make lab`` itself (with
``LAB_FLAGS`` for a free port on 127.0.0.1, a token and no browser), then asks the server's REST API
what JupyterLab would ask when the reader double-clicks ``chapters/01_datasets.md``, starts the chapter's
kernel and runs a line in it, and finally stops the server through its shutdown API.

Skipped, with the reason, when JupyterLab is not installed or ``make install-lab`` is not up to date
(``make lab`` would then install packages first); ``.ci/run`` runs ``make install-lab``, so in CI this runs.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "chapters/01_datasets.md"
START_TIMEOUT_S = 180  # JupyterLab starts in ~5 s; generous for a loaded 2-core machine

pytestmark = [
    pytest.mark.skipif(
        importlib.util.find_spec("jupyterlab") is None,
        reason="JupyterLab is not installed: run `make install-lab` (or `make lab`)",
    ),
    pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    def __init__(self, base: str, token: str):
        self.base, self.token = base, token

    def request(self, path: str, *, method: str = "GET", body: dict | None = None, token: bool = True):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if token:
            req.add_header("Authorization", f"token {self.token}")
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
            return json.loads(raw) if raw else None


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    plain_env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    if subprocess.run(["make", "-q", ".venv/.installed-lab"], cwd=ROOT, env=plain_env).returncode != 0:
        pytest.skip("`make install-lab` is not up to date (make lab would install first): run it once")
    tmp = tmp_path_factory.mktemp("lab")
    port, token = _free_port(), secrets.token_hex(16)
    flags = [
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
    ]
    if os.geteuid() == 0:  # CI runs as root; jupyter refuses that unless told
        flags.append("--allow-root")
    env = {
        **plain_env,
        # keep the machine's own Jupyter configuration, kernels and settings out of the test
        "JUPYTER_CONFIG_DIR": str(tmp / "config"),
        "JUPYTER_DATA_DIR": str(tmp / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
        "COMPENDIUM_DATA_MIRROR": str(tmp / "mirror-sentinel"),
    }
    log = (tmp / "lab.log").open("w")
    proc = subprocess.Popen(
        ["make", "-s", "--no-print-directory", "lab", f"LAB_FLAGS={' '.join(flags)}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Lab(f"http://127.0.0.1:{port}", token)
    server.runtime_dir, server.mirror, server.log = tmp / "runtime", env["COMPENDIUM_DATA_MIRROR"], tmp / "lab.log"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"make lab exited with {proc.returncode}:\n{server.log.read_text()[-3000:]}")
            try:
                server.request("/api/status")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    tail = server.log.read_text()[-3000:]
                    pytest.fail(f"JupyterLab did not answer within {START_TIMEOUT_S} s:\n{tail}")
                time.sleep(0.5)
        yield server
    finally:
        try:
            server.request("/api/shutdown", method="POST")
            proc.wait(timeout=60)
        except Exception:
            # the server did not stop by itself: end the process group this test started
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def test_the_chapter_comes_back_as_a_notebook(lab):
    model = lab.request(f"/api/contents/{CHAPTER}?type=notebook&content=1")
    assert model["type"] == "notebook" and model["path"] == CHAPTER
    cells = model["content"]["cells"]
    expected = jupytext.read(ROOT / CHAPTER).cells
    assert len(cells) == len(expected) > 0
    assert [c["cell_type"] for c in cells] == [c.cell_type for c in expected]
    assert any(c["cell_type"] == "code" and "results.start" in c["source"] for c in cells)
    assert model["content"]["metadata"]["kernelspec"]["name"] == "python3"


def test_the_server_needs_the_token(lab):
    with pytest.raises(urllib.error.HTTPError) as err:
        lab.request(f"/api/contents/{CHAPTER}?type=notebook", token=False)
    assert err.value.code == 403


def test_a_double_click_opens_markdown_as_a_jupytext_notebook(lab):
    settings = lab.request("/lab/api/settings/@jupyterlab/docmanager-extension:plugin")
    viewers = settings["schema"]["properties"]["defaultViewers"]["default"]
    assert viewers["markdown"] == "Jupytext Notebook"


def test_the_chapter_kernel_is_the_project_environment_with_the_data_mirror(lab):
    from jupyter_client import BlockingKernelClient

    spec = lab.request("/api/kernelspecs")
    assert "python3" in spec["kernelspecs"]
    kernel = lab.request("/api/kernels", method="POST", body={"name": "python3", "path": "chapters"})
    try:
        client = BlockingKernelClient()
        client.load_connection_file(str(lab.runtime_dir / f"kernel-{kernel['id']}.json"))
        # no heartbeat channel: the server watches the kernel; a fresh heartbeat reads as "dead" at first
        client.start_channels(hb=False)
        client.wait_for_ready(timeout=START_TIMEOUT_S)  # kernel_info until it answers
        out = []
        reply = client.execute_interactive(
            "import os, sys; print(sys.prefix); print(os.environ.get('COMPENDIUM_DATA_MIRROR')); print(os.getcwd())",
            timeout=60,
            output_hook=lambda msg: out.append(msg["content"].get("text", "")),
        )
        client.stop_channels()
        assert reply["content"]["status"] == "ok"
        prefix, mirror, cwd = "".join(out).split()
        assert Path(prefix).resolve() == Path(sys.prefix).resolve()  # the project's .venv, not another Python
        assert mirror == lab.mirror
        assert Path(cwd).resolve() == (ROOT / "chapters").resolve()  # as under nbval and the book build
    finally:
        lab.request(f"/api/kernels/{kernel['id']}", method="DELETE")
