"""The apps import one way (DESIGN.md): tenants ← providers ← documents ← agents, no cycles.

Read from the source with ast, so imports inside functions count as much as those at the
top. `ragplatform` is two things: the library every app may use (exceptions, errors, logging,
metrics, settings, start-up), which imports no app, and the composition root (URLs, WSGI and
its warm-up, management commands), which may import any app and which no app imports.
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("tenants", "providers", "documents", "agents", "ragplatform")
# Which other apps each app may import (ragplatform meaning its library modules).
ALLOWED = {
    "tenants": {"ragplatform"},
    "providers": {"tenants", "ragplatform"},
    "documents": {"tenants", "providers", "ragplatform"},
    "agents": {"tenants", "providers", "documents", "ragplatform"},
    "ragplatform": set(),
}
COMPOSITION_ROOT = (
    "ragplatform.urls",
    "ragplatform.wsgi",
    "ragplatform.warmup",
    "ragplatform.management",
)


def _is_composition(module: str) -> bool:
    return any(module == root or module.startswith(root + ".") for root in COMPOSITION_ROOT)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported_modules(path: Path) -> list[tuple[str, int]]:
    """Every module ``path`` imports (absolute name, line), relative imports resolved."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            # `from pkg import mod` imports pkg.mod when mod is a module.
            found += [(f"{target}.{alias.name}", node.lineno) for alias in node.names]
            found.append((target, node.lineno))
    return found


def _app_imports() -> list[tuple[str, str, str, str]]:
    """(importing app, importing module, imported app, imported module) across app borders."""
    edges = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            importer = _module_name(path)
            for imported, line in _imported_modules(path):
                target_app = imported.split(".")[0]
                if target_app in APPS and target_app != app:
                    edges.append((app, f"{importer}:{line}", target_app, imported))
    return edges


def test_the_walk_sees_imports_inside_functions():
    """The rule is only as good as the walk: lazy imports must be found too."""
    edges = {(importer.split(":")[0], imported) for _, importer, _, imported in _app_imports()}
    # agents.services imports documents.retrieval inside a function.
    assert ("agents.services", "documents.retrieval") in edges


def test_each_app_imports_only_the_apps_below_it():
    wrong = [
        f"{importer} imports {imported}"
        for app, importer, target, imported in _app_imports()
        if not (app == "ragplatform" and _is_composition(importer.split(":")[0]))
        and target not in ALLOWED[app]
    ]
    assert wrong == []


def test_no_app_imports_the_composition_root():
    """URLs, WSGI and commands import the apps; an app importing them back closes a cycle."""
    wrong = [
        f"{importer} imports {imported}"
        for app, importer, target, imported in _app_imports()
        if target == "ragplatform" and _is_composition(imported)
    ]
    assert wrong == []


def test_apps_have_no_import_cycle():
    """Checked on its own, so a later loosening of ALLOWED cannot let a cycle in unnoticed."""
    graph: dict[str, set[str]] = defaultdict(set)
    for app, importer, target, imported in _app_imports():
        if not _is_composition(importer.split(":")[0]) and not _is_composition(imported):
            graph[app].add(target)

    def cycle_from(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        for nxt in sorted(graph[node]):
            if found := cycle_from(nxt, [*path, node]):
                return found
        return None

    cycles = [found for app in APPS if (found := cycle_from(app, []))]
    assert cycles == []
