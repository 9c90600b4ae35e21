"""JupyterLab for researchers (`make lab`): `.py` notebooks open as notebooks through jupytext.

The settings override (``jupyter/overrides.json``) must name a viewer that the installed jupytext
lab extension really registers; when JupyterLab itself is installed (``make lab``), a server
started on the checkout must serve that override as the default viewer of Python files and open
a notebook ``.py`` as a notebook with cells.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from analysis.core import paths

OVERRIDES = paths.ROOT / "jupyter" / "overrides.json"
DOCMANAGER = "@jupyterlab/docmanager-extension:plugin"


def _viewer() -> str:
    return json.loads(OVERRIDES.read_text(encoding="utf-8"))[DOCMANAGER]["defaultViewers"]["python"]


def test_override_names_a_viewer_the_jupytext_extension_registers():
    ext = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "jupyterlab-jupytext"
    assert ext.is_dir(), "jupytext's lab extension is not installed (jupytext is a main dependency)"
    bundles = "".join(p.read_text(encoding="utf-8", errors="replace")
                      for p in (ext / "static").glob("*.js"))
    assert f'"{_viewer()}"' in bundles, f"no viewer factory {_viewer()!r} in jupytext's extension"


def test_make_lab_installs_the_override_where_jupyterlab_reads_it():
    make = subprocess.run(["make", "-n", "lab", "LAB_STAMP=.venv/.never-built-lab-stamp"],
                          cwd=paths.ROOT, capture_output=True, text=True, check=True).stdout
    assert "'.[dev,lab]'" in make and "requirements/lab-constraints.txt" in make
    assert "cp jupyter/overrides.json .venv/share/jupyter/lab/settings/overrides.json" in make


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(shutil.which("jupyter-lab", path=str(Path(sys.prefix) / "bin")) is None,
                    reason="JupyterLab not installed (make lab installs it)")
def test_a_lab_server_opens_py_notebooks_as_notebooks(tmp_path):
    settings = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    if not settings.exists():
        pytest.skip("make lab has not copied the override into this environment")
    port, token = _free_port(), "lostgen-test"
    server = subprocess.Popen(
        [str(Path(sys.prefix) / "bin" / "jupyter-lab"), "--no-browser", "--allow-root",
         f"--port={port}", f"--IdentityProvider.token={token}",
         f"--notebook-dir={paths.ROOT / 'notebooks'}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def get(path: str) -> dict:
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                     headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.load(resp)
    try:
        for _ in range(60):
            try:
                schema = get(f"/lab/api/settings/{DOCMANAGER}")["schema"]
                break
            except OSError:
                time.sleep(1)
        else:
            pytest.fail("JupyterLab did not start within 60 s")
        assert schema["properties"]["defaultViewers"]["default"] == {"python": _viewer()}
        first = sorted((paths.ROOT / "notebooks").glob("[0-9][0-9]_*.py"))[0].name
        model = get(f"/api/contents/{first}?type=notebook&content=1")
        assert model["type"] == "notebook" and len(model["content"]["cells"]) > 3
    finally:
        server.terminate()
        server.wait(timeout=20)
