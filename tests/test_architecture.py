"""The house holds: no import cycle anywhere (function-level imports counted), the layer
contracts of pyproject.toml pass, every module is in a layer, and the contracts fail when a
lower layer imports a higher one."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from analysis.core import paths

SRC = paths.ROOT / "src"
PKG = SRC / "analysis"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


# ------------------------------------------------------------------ the import graph


def module_files(root: Path) -> dict[str, Path]:
    """``{dotted name: file}`` of every module of the package at ``root``."""
    out = {}
    for f in root.rglob("*.py"):
        if "__pycache__" in f.parts:
            continue
        parts = f.relative_to(root.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = f
    return out


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module → project modules it imports: every ``import`` / ``from … import`` at any depth of
    the AST (function-level, ``TYPE_CHECKING`` blocks, try/except), relative imports resolved;
    importing ``a.b.c`` also imports its packages ``a`` and ``a.b``."""
    modules = module_files(root)
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    mod = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    mod = node.module or ""
                targets = [mod, *(f"{mod}.{a.name}" for a in node.names)]
            else:
                continue
            for target in targets:
                parts = target.split(".")
                for i in range(1, len(parts) + 1):
                    dotted = ".".join(parts[:i])
                    if dotted in modules and dotted != name:
                        graph[name].add(dotted)
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan, iterative), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    comp.append(member)
                    if member == node:
                        break
                out.append(sorted(comp))
    return out


def test_no_import_cycle_anywhere():
    graph = import_graph(PKG)
    assert len(graph) > 80
    cycles = [c for c in strongly_connected(graph) if len(c) > 1]
    assert cycles == [], f"import cycles (function-level imports counted): {cycles}"


def test_the_cycle_check_sees_function_level_and_relative_imports(tmp_path):
    pkg = tmp_path / "demo"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from demo.sub import b\n")
    (pkg / "sub" / "b.py").write_text("if False:\n    from .. import c\n")
    (pkg / "c.py").write_text("def g():\n    import demo.a\n")
    (pkg / "d.py").write_text("from . import a\n")
    cycles = [c for c in strongly_connected(import_graph(pkg)) if len(c) > 1]
    assert cycles == [["demo.a", "demo.c", "demo.sub.b"]]


# ------------------------------------------------------------------ the layer contracts


def _lint(root: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` with this repository's contracts on the package under ``root/src``."""
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True,
                          text=True, env={"PYTHONPATH": str(root / "src"), "PATH": "/usr/bin:/bin",
                                          "HOME": str(root)})


def test_import_contracts_hold():
    result = _lint(paths.ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def _layers() -> list[list[str]]:
    config = tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (layers,) = [c["layers"] for c in config["tool"]["importlinter"]["contracts"]
                 if c["type"] == "layers"]
    out = []
    for layer in layers:
        sep = "|" if "|" in layer else ":"
        out.append([m.strip().strip("()") for m in layer.split(sep)])
    return out


def test_every_module_is_in_exactly_one_layer():
    """A new module is checked by the layers contract without editing it — except a module
    inside a topic room split across layers, which must be added to its layer (this test says
    which). Packages holding modules of several layers must import nothing."""
    entries = [m for layer in _layers() for m in layer]
    graph = import_graph(PKG)
    for module, path in module_files(PKG).items():
        covering = [e for e in entries if module == e or module.startswith(e + ".")]
        if covering:
            assert len(covering) == 1, (module, covering)
            continue
        assert path.name == "__init__.py" and not graph[module], (
            f"{module} is in no layer of pyproject.toml [tool.importlinter]: add it to its layer")


BAD_IMPORTS = [
    # (file, code appended, contract that must break, text of the reported chain)
    ("core/errors.py", "def _late():\n    from analysis import pipeline\n",
     "Layers", "analysis.core.errors -> analysis.pipeline"),
    ("stats/hotspots.py", "def _late():\n    from analysis.sources.cases import common\n",
     "Layers", "analysis.stats.hotspots -> analysis.sources.cases.common"),
    ("privacy/policy.py", "def _late():\n    from analysis.sources.cases import common\n",
     "Privacy imports no source room", "analysis.privacy.policy -> analysis.sources.cases.common"),
    ("sources/census_city/schema.py", "import statsmodels.api\n",
     "Schemas import no modelling", "analysis.sources.census_city.schema -> statsmodels"),
]


@pytest.mark.parametrize("file, code, contract, chain", BAD_IMPORTS,
                         ids=[b[0] for b in BAD_IMPORTS])
def test_a_forbidden_import_breaks_the_contracts(tmp_path, file, code, contract, chain):
    """On a copy of the package with one bad import injected (a lower layer importing a higher
    one, a function-level import included), ``make lint``'s contracts fail and name it."""
    shutil.copytree(PKG, tmp_path / "src" / "analysis",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(paths.ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "src" / "analysis" / file
    target.write_text(target.read_text(encoding="utf-8") + "\n\n" + code, encoding="utf-8")
    result = _lint(tmp_path)
    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")
              or " BROKEN (" in line]
    assert any(line.startswith(contract) for line in broken), result.stdout[-3000:]
    assert chain in result.stdout
