"""Every import inside gamexplain points down the layers of DESIGN.md §4.

Each module is parsed with ``ast`` (imports inside functions count: a lazy import is
still a dependency) and mapped to its layer; an import may only reach its own layer or
one the layer is allowed to use. Importing ``a.b.c`` also runs ``a/__init__`` and
``a/b/__init__``, so the packages on the way count as imported too (the root package is
the front door and is left out: every import runs it).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "gamexplain"

# Bottom to top; a module belongs to the layer of its longest matching prefix.
LAYERS: dict[str, tuple[str, ...]] = {
    "base": ("gamexplain.exact", "gamexplain.results", "gamexplain.errors"),
    "plots": ("gamexplain.plots",),
    "model": ("gamexplain.model",),
    "substrate": ("gamexplain.substrate", "gamexplain.distributions"),
    "io": ("gamexplain.io", "gamexplain.examples"),
    "complexity": ("gamexplain.complexity",),
    "certify": ("gamexplain.certify",),
    "algorithms": ("gamexplain.algorithms",),
    "queries": ("gamexplain.queries",),
    "lab": ("gamexplain.lab",),
    "front": ("gamexplain", "gamexplain.cli"),
}

# What each layer may import besides itself. The certificate checks sit just below the
# algorithms: an algorithm may build a certificate, a check never runs an algorithm.
ALLOWED: dict[str, set[str]] = {
    "base": set(),
    "plots": {"base"},
    "model": {"base"},
    "substrate": {"model", "base"},
    "io": {"model", "base"},
    "complexity": {"substrate", "model", "base"},
    "certify": {"complexity", "substrate", "model", "base"},
    "algorithms": {"certify", "complexity", "substrate", "model", "base"},
    "queries": {"algorithms", "certify", "complexity", "substrate", "model", "plots", "base"},
    "lab": {"queries", "algorithms", "certify", "complexity", "io", "substrate", "model", "plots",
            "base"},
    "front": set(LAYERS),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> str | None:
    """The layer of ``module``: the one whose prefix matches most of its name."""
    best: tuple[int, str | None] = (-1, None)
    for layer, prefixes in LAYERS.items():
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best[0]:
                best = (len(prefix), layer)
    return best[1]


def _with_parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:k]) for k in range(2, len(parts))] + [name]


def _targets(node: ast.Import | ast.ImportFrom, module: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # relative: resolve against this module's package
        package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
        anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join([*anchor, base] if base else anchor)
    # ``from pkg import sub`` imports the submodule ``pkg.sub`` when there is one.
    return [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]


def imports_of(module: str) -> list[tuple[str, int]]:
    """Every gamexplain module ``module`` imports, with the line, parents included."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for target in _targets(node, module):
                if target.split(".")[0] == "gamexplain":
                    found += [(name, node.lineno) for name in _with_parents(target)]
    return found


def upward_imports() -> list[str]:
    """Each import that leaves its layer for one it may not use, as readable lines."""
    bad = []
    for module in MODULES:
        layer = layer_of(module)
        assert layer is not None
        for target, line in imports_of(module):
            target_layer = layer_of(target)
            if target_layer != layer and target_layer not in ALLOWED[layer]:
                bad.append(f"{module}:{line} ({layer}) imports {target} ({target_layer})")
    return sorted(set(bad))


def private_imports() -> list[str]:
    """Each private name (``_x``) imported from a module of another package, or by a query.

    A helper another package needs deserves a public name; a query builds on public
    names only, so a new query never copies or reaches into a sibling's internals.
    """
    bad = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                continue
            private = [a.name for a in node.names if a.name.startswith("_")]
            source = node.module
            other_package = source.split(".")[:2] != module.split(".")[:2]
            if private and source.startswith("gamexplain") and (
                other_package or layer_of(module) == "queries"
            ):
                bad.append(f"{module}:{node.lineno} imports {', '.join(private)} from {source}")
    return bad


def test_no_private_name_crosses_a_package() -> None:
    bad = private_imports()
    assert bad == [], "private names imported across packages:\n" + "\n".join(bad)


# What a certificate check must re-derive on its own rather than import: the solver's exact
# signs and every step of the solving path (docs/certificates.md).
CHECKS_NEVER_IMPORT = (
    "gamexplain.exact",
    "gamexplain.algorithms",
    "gamexplain.substrate.primitives",
    "gamexplain.substrate.extremes",
    "gamexplain.substrate.milp",
    "gamexplain.substrate.polynomials",
    "gamexplain.substrate.scaling",
)


def test_the_checks_stay_independent_of_the_solving_path() -> None:
    bad = [
        f"{module}:{line} imports {target}"
        for module in MODULES
        if layer_of(module) == "certify"
        for target, line in imports_of(module)
        if any(target == p or target.startswith(p + ".") for p in CHECKS_NEVER_IMPORT)
    ]
    assert bad == []


def test_every_module_has_a_layer() -> None:
    assert MODULES, "no modules found"
    assert [m for m in MODULES if layer_of(m) is None] == []


def test_every_import_points_down() -> None:
    bad = upward_imports()
    assert bad == [], "imports pointing up the layers:\n" + "\n".join(bad)


def test_allowed_layers_form_an_order() -> None:
    # No layer may use one that may use it back: the allowed graph is acyclic.
    for layer, below in ALLOWED.items():
        for other in below - {layer}:
            assert layer not in ALLOWED[other], (layer, other)


def test_lazy_imports_count() -> None:
    # The CLI imports the lab inside a function; the check must see it like a top one.
    assert "gamexplain.lab.scaling" in {target for target, _ in imports_of("gamexplain.cli")}


def test_an_upward_import_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Pretend the model imports a query lazily: the check names the module and the import.
    fake = tmp_path / "fake.py"
    fake.write_text("def f():\n    from gamexplain.queries import shap\n", encoding="utf-8")
    monkeypatch.setitem(MODULES, "gamexplain.model.fake", fake)
    assert "gamexplain.model.fake:2 (model) imports gamexplain.queries.shap (queries)" in (
        upward_imports()
    )
