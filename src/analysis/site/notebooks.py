"""Execute the jupytext notebooks (``notebooks/NN_topic.py``) into ``build/notebooks/NN_topic.ipynb``.

Notebooks are kept as jupytext percent-format ``.py`` files (readable diffs, no outputs in git);
the build executes them with nbclient, from the repository root, with a fixed hash seed and the
Agg backend, and stops on the first error with the cell that failed.

Incremental build (:func:`build_notebook`): next to each executed notebook a stamp
``build/notebooks/NN_topic.stamp.json`` records the sha256 of the notebook's inputs (its source,
the data manifest ``data/processed/.manifest.json``, every module of the ``analysis`` package,
``requirements/constraints.txt``, the label language and the figures folder) and of every output
(the executed ``.ipynb`` and each figure file the run wrote, i.e. the files ``figures/NN_*``
created or rewritten during execution). A notebook is executed again only when an input changed,
an output is missing or its bytes differ (a deleted or edited figure), or the stamp is unreadable.
The check imports nothing heavy, so ``make`` can ask for every notebook on every run.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from analysis.core import paths, stamps
from analysis.core.errors import AnalysisError

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
    import jupytext
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

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


def executed_path(source: Path) -> Path:
    """The executed notebook of ``source``: ``build/notebooks/<stem>.ipynb``."""
    return paths.EXECUTED_NOTEBOOKS / f"{Path(source).stem}.ipynb"


def stamp_path(source: Path) -> Path:
    """The build stamp of ``source``: ``build/notebooks/<stem>.stamp.json``."""
    return paths.EXECUTED_NOTEBOOKS / f"{Path(source).stem}.stamp.json"


def notebook_inputs(source: Path) -> dict[str, str]:
    """sha256 of everything an execution of ``source`` depends on, plus the settings that
    change its figures (label language, figures folder). Keys are file names relative to the
    repository (package modules as ``analysis/...``)."""
    package = Path(__file__).resolve().parents[1]  # src/analysis
    files = stamps.digest([source, paths.PROCESSED / ".manifest.json",
                           paths.ROOT / "requirements" / "constraints.txt"], paths.ROOT)
    code = stamps.digest((f for f in package.rglob("*.py") if "__pycache__" not in f.parts),
                         package.parent)
    lang = "zh" if os.environ.get("LOSTGEN_LANG", "en").strip().lower().startswith("zh") else "en"
    return {**files, **code, "setting:language": lang,
            "setting:figures folder": stamps.relative_name(paths.FIGURES, paths.ROOT)}


def outdated(source: Path) -> str | None:
    """Why ``source`` must be executed (one line), or ``None`` when its stamp is up to date."""
    stamp_file = stamp_path(source)
    stamp, problem = stamps.read_stamp(stamp_file, required=("inputs", "outputs"))
    if stamp is None:
        return f"stamp {stamps.relative_name(stamp_file, paths.ROOT)} {problem}"
    changed = stamps.changed_keys(stamp["inputs"], notebook_inputs(source))
    if changed:
        return f"changed: {stamps.listing(changed)}"
    changed = stamps.changed_files(stamp["outputs"], paths.ROOT)
    if changed:
        return f"output(s) missing or changed: {stamps.listing(changed)}"
    return None


def _figure_files(source: Path) -> dict[Path, tuple[int, int, int]]:
    """The files ``figures/NN_*`` of notebook ``NN`` with their (mtime, size, inode)."""
    prefix = Path(source).stem.split("_", 1)[0] + "_"
    if not paths.FIGURES.is_dir():
        return {}
    out = {}
    for f in paths.FIGURES.glob(f"{prefix}*"):
        if f.is_file():
            st = f.stat()
            out[f] = (st.st_mtime_ns, st.st_size, st.st_ino)
    return out


def build_notebook(source: Path, *, force: bool = False, log=print) -> bool:
    """Execute ``source`` if it is outdated (or ``force``), then write its stamp.

    Returns ``True`` when the notebook was executed, ``False`` when it was up to date. The
    figures recorded as outputs are the files ``figures/NN_*`` (``NN`` = the notebook's number,
    the prefix every figure name carries) that the execution created or rewrote.
    """
    source = Path(source)
    reason = "--force" if force else outdated(source)
    if reason is None:
        log(f"[notebooks] {source.name}: up to date")
        return False
    inputs = notebook_inputs(source)  # before executing: an edit made meanwhile re-runs later
    stamp_path(source).unlink(missing_ok=True)  # a failed run must not look up to date
    before = _figure_files(source)
    t0 = time.perf_counter()
    log(f"[notebooks] executing {source.name} ({reason}) …")
    out = execute(source, executed_path(source))
    written = [f for f, st in _figure_files(source).items() if before.get(f) != st]
    stamps.write_json_atomic(stamp_path(source), {
        "notebook": stamps.relative_name(source, paths.ROOT), "inputs": inputs,
        "outputs": stamps.digest([out, *written], paths.ROOT)})
    log(f"[notebooks] {source.name} done in {time.perf_counter() - t0:.1f} s "
        f"({len(written)} figure files)")
    return True


def execute_all(names: list[str] | None = None, *, force: bool = False, log=print) -> list[Path]:
    """Bring the notebooks named (stems or file names; default all) up to date, in order:
    each is executed only when :func:`outdated` (or ``force``). Returns the executed notebooks'
    paths (of every notebook chosen, executed now or before)."""
    chosen = notebook_sources()
    if names:
        wanted = {Path(n).stem for n in names}
        chosen = [p for p in chosen if p.stem in wanted]
        missing = wanted - {p.stem for p in chosen}
        if missing:
            raise AnalysisError(f"no such notebook(s): {sorted(missing)}")
    outs = []
    for p in chosen:
        build_notebook(p, force=force, log=log)
        outs.append(executed_path(p))
    return outs
