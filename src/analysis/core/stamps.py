"""Build stamps: sha256 records of what a build step read and wrote.

``make`` alone only compares modification times, so it cannot see a truncated table or a figure
edited in place. The data step (``data/processed/.manifest.json``) and every notebook
(``build/notebooks/NN_topic.stamp.json``) therefore keep a JSON stamp holding the sha256 of their
inputs and of every output they wrote; the step is redone when an input changed, an output is
missing or its bytes differ, or the stamp itself is unreadable (a truncated or hand-edited stamp
means "rebuild", never a traceback).

Helpers here are small and pure (no printing): hashing, an atomic JSON write (temporary file in
the same folder + :func:`os.replace`, so a kill never leaves half a stamp), a tolerant stamp
reader, and the clean-up of temporary folders a killed write phase left behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

#: Value recorded for an input file that does not exist (so its later appearance is a change).
ABSENT = "absent"


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def relative_name(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` (POSIX separators) when inside it, else the absolute path."""
    path = Path(path).resolve()
    try:
        return path.relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def digest(files: Iterable[Path], root: Path) -> dict[str, str]:
    """``{name relative to root: sha256}`` of ``files``; a missing file is recorded as
    :data:`ABSENT`."""
    out = {}
    for f in files:
        f = Path(f)
        out[relative_name(f, root)] = sha256_file(f) if f.is_file() else ABSENT
    return dict(sorted(out.items()))


def changed_files(recorded: dict[str, str], root: Path) -> list[str]:
    """Names of recorded output files (relative to ``root`` or absolute) that are missing now or
    whose sha256 differs from the recorded one, sorted."""
    changed = []
    for name, sha in sorted(recorded.items()):
        p = Path(name) if Path(name).is_absolute() else Path(root) / name
        if not p.is_file() or sha256_file(p) != sha:
            changed.append(name)
    return changed


def changed_keys(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """Keys added, removed or with a different value between two digests, sorted."""
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def listing(names: list[str], limit: int = 3) -> str:
    """``a, b, c (+4 more)``: a short one-line list for messages."""
    more = f" (+{len(names) - limit} more)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def write_json_atomic(path: Path, obj: object) -> None:
    """Write ``obj`` as JSON to ``path`` atomically: a temporary file in the same folder is
    written, flushed to disk and moved over ``path`` with :func:`os.replace`. A failure (or a
    kill) leaves the previous ``path`` untouched; the temporary file is removed on failure."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_stamp(path: Path, required: tuple[str, ...] = ()) -> tuple[dict | None, str]:
    """Read a JSON stamp; returns ``(stamp, "")`` or ``(None, why it cannot be used)``.

    A missing, empty, truncated or otherwise invalid file, or one lacking a ``required`` key
    holding a JSON object, gives ``None`` and a short reason — never an exception.
    """
    path = Path(path)
    if not path.is_file():
        return None, "does not exist"
    try:
        stamp = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"is unreadable ({type(exc).__name__}: {str(exc)[:80]})"
    if not isinstance(stamp, dict):
        return None, "is not a JSON object"
    missing = [k for k in required if not isinstance(stamp.get(k), dict)]
    if missing:
        return None, f"has no {' / '.join(missing)} record (written by an older build?)"
    return stamp, ""


def temp_dir_prefix(kind: str) -> str:
    """Prefix of a temporary folder of this process: ``.<kind>-<pid>-`` (the pid tells a later
    run whether its owner is still alive)."""
    return f".{kind}-{os.getpid()}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temp_dirs(parent: Path, kind: str) -> list[Path]:
    """Remove the folders ``parent/.<kind>-*`` whose owning process is gone (killed during a
    write phase); folders of a live process are kept. Returns the folders removed."""
    removed = []
    for d in sorted(Path(parent).glob(f".{kind}-*")):
        if not d.is_dir():
            continue
        pid_text = d.name[len(kind) + 2:].split("-", 1)[0]
        # a folder without a pid is from an older build (before pids were recorded): stale
        if pid_text.isdigit() and (int(pid_text) == os.getpid() or _alive(int(pid_text))):
            continue
        shutil.rmtree(d, ignore_errors=True)
        removed.append(d)
    return removed


def module_files(package_dir: Path) -> dict[str, Path]:
    """``{dotted module name: file}`` of every module under ``package_dir`` (e.g. ``src/analysis``;
    packages as their ``__init__.py``)."""
    package_dir = Path(package_dir)
    base = package_dir.name
    out = {}
    for f in package_dir.rglob("*.py"):
        if "__pycache__" in f.parts:
            continue
        parts = f.relative_to(package_dir).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join((base, *parts))] = f
    return out


def step_modules(package_dir: Path) -> list[str]:
    """Dotted names of the step modules under ``<package>.sources`` and ``<package>.topics``:
    modules that define, at their top level, a function ``build`` and a name ``PROVIDES``.
    Read from the source (``ast``; nothing is imported), sorted."""
    import ast

    package_dir = Path(package_dir)
    base = package_dir.name
    found = []
    for name, path in module_files(package_dir).items():
        if not name.startswith((f"{base}.sources.", f"{base}.topics.")):
            continue
        body = ast.parse(path.read_text(encoding="utf-8")).body
        functions = {n.name for n in body if isinstance(n, ast.FunctionDef)}
        assigned = {t.id for n in body if isinstance(n, ast.Assign) for t in n.targets
                    if isinstance(t, ast.Name)}
        assigned |= {n.target.id for n in body
                     if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)}
        if "build" in functions and "PROVIDES" in assigned:
            found.append(name)
    return sorted(found)


def code_closure(package_dir: Path, entries: Iterable[str]) -> list[Path]:
    """The project modules that ``entries`` (dotted names) import, transitively, read from the
    source (``ast``; nothing is imported): ``import``/``from … import`` at any depth (function-level
    imports included) and the parent packages of every module. Returns their files, sorted.

    Used for the data manifest, so that every module whose change can change a table is hashed
    without a hand-kept list (modules loaded by name at run time — the step modules, the schema
    modules — are passed as ``entries``).
    """
    import ast

    modules = module_files(package_dir)
    seen: set[str] = set()
    todo = [e for e in entries if e in modules]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts)) if ".".join(parts[:i]) in modules]
        path = modules[name]
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            found: list[str] = []
            if isinstance(node, ast.Import):
                found = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    mod = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    mod = node.module or ""
                found = [mod, *(f"{mod}.{a.name}" for a in node.names)]
            todo += [m for m in found if m in modules and m not in seen]
    return sorted(modules[m] for m in seen)
