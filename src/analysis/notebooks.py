"""Execute the jupytext notebooks (``notebooks/NN_topic.py``) into ``build/notebooks/NN_topic.ipynb``.

Notebooks are kept as jupytext percent-format ``.py`` files (readable diffs, no outputs in git);
the build executes them with nbclient, from the repository root, with a fixed hash seed and the
Agg backend, and stops on the first error with the cell that failed.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from analysis import paths
from analysis.errors import AnalysisError

#: Seconds one cell may run before the build fails.
CELL_TIMEOUT = 600


def notebook_sources() -> list[Path]:
    """All notebooks, ``notebooks/NN_*.py``, in order."""
    return sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def execute(source: Path, out: Path | None = None, *, timeout: int = CELL_TIMEOUT) -> Path:
    """Execute one jupytext notebook and write the executed ``.ipynb``; returns its path.

    Raises
    ------
    AnalysisError
        naming the notebook and the failing cell's error when execution fails.
    """
    source = Path(source)
    out = Path(out or paths.EXECUTED_NOTEBOOKS / f"{source.stem}.ipynb")
    nb = jupytext.read(source)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    # the kernel draws inline (figures appear in the executed notebook) whatever the caller's
    # MPLBACKEND; hash seed fixed so set/dict iteration cannot change an output
    kernel_env = dict(os.environ, PYTHONHASHSEED="0",
                      MPLBACKEND="module://matplotlib_inline.backend_inline")
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(paths.ROOT)}},
                            # the kernel's start-up banner about TCP transport is noise here
                            extra_arguments=["--IPKernelApp.log_level=ERROR"])
    try:
        client.execute(env=kernel_env)
    except CellExecutionError as exc:
        plain = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))
        raise AnalysisError(f"notebook {source.name} failed:\n{plain[-3000:]}") from None
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".ipynb.tmp")
    nbformat.write(nb, tmp)
    os.replace(tmp, out)
    return out


def execute_all(names: list[str] | None = None, *, log=print) -> list[Path]:
    """Execute the notebooks named (stems or file names; default all), in order."""
    chosen = notebook_sources()
    if names:
        wanted = {Path(n).stem for n in names}
        chosen = [p for p in chosen if p.stem in wanted]
        missing = wanted - {p.stem for p in chosen}
        if missing:
            raise AnalysisError(f"no such notebook(s): {sorted(missing)}")
    outs = []
    for p in chosen:
        t0 = time.perf_counter()
        log(f"[notebooks] executing {p.name} …")
        outs.append(execute(p))
        log(f"[notebooks] {p.name} done in {time.perf_counter() - t0:.1f} s")
    return outs
