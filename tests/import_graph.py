"""Which apps each app imports, read with ast (module-level and function-level imports alike).

    .venv/bin/python -m tests.import_graph   # app -> apps it imports, cycles, imports of views

tests/test_layering.py holds the order and enforces it with the same reader.
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Bottom first: each app may import only the apps before it (tests/test_layering.py).
APPS = ("config", "audit", "accounts", "clients", "assessments", "programmes", "reports", "privacy", "practice")
# Plain-Python definitions that import no app: every layer may read them.
FOUNDATION = {"assessments.protocol"}
# The root URLconf includes every app's URLs (and the home view): it sits above the layers.
ROOT_URLCONF = "config/urls.py"


def _is_module(dotted):
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imported_modules(path):
    """(line, module) for every import in the file, wherever the statement sits.

    `from clients import access` imports clients.access; `from clients.models import Client`
    imports clients.models."""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    yield from modules_in(path.read_text(), package)


def modules_in(source, package):
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                yield node.lineno, submodule if _is_module(submodule) else module


def app_files(app):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def cross_app_imports():
    """(app, file, line, module) for every import of another app."""
    for app in APPS:
        for path in app_files(app):
            for line, module in sorted(set(imported_modules(path))):
                target = module.split(".")[0]
                if target in APPS and target != app:
                    yield app, path.relative_to(ROOT).as_posix(), line, module


def upward_imports():
    """{(file, app above it): "file:line imports module"} for imports that break the order."""
    found = {}
    for app, path, line, module in cross_app_imports():
        target = module.split(".")[0]
        if path != ROOT_URLCONF and module not in FOUNDATION and APPS.index(target) > APPS.index(app):
            found.setdefault((path, target), f"{path}:{line} imports {module}")
    return found


def layer_edges():
    """{app: apps it imports}, leaving out the foundation and the root URLconf, which sit
    outside the layers (below and above them)."""
    edges = defaultdict(set)
    for app, path, _, module in cross_app_imports():
        if path != ROOT_URLCONF and module not in FOUNDATION:
            edges[app].add(module.split(".")[0])
    return edges


def cycles(edges):
    """Every app that can reach itself through the imports, as one path round, e.g. a -> b -> a."""
    found = []

    def walk(path):
        for app in sorted(edges[path[-1]]):
            if app == path[0]:
                found.append(" -> ".join((*path, app)))
            elif app not in path and app > path[0]:  # each cycle once, from its smallest name
                walk((*path, app))

    for app in sorted(edges):
        walk((app,))
    return found


def main():
    edges = layer_edges()
    for app in APPS:
        print(f"{app:12} -> {', '.join(sorted(edges[app])) or '-'}")
    print("cycles:", ", ".join(cycles(edges)) or "none")
    views = [f"{path}:{line} {module}" for _, path, line, module in cross_app_imports()
             if path != ROOT_URLCONF and module.split(".")[-1].endswith("views")]
    print("imports of another app's views:", ", ".join(views) or "none")
    print(f"upward, by the order {' < '.join(APPS)}:", "none" if not upward_imports() else "")
    for where in sorted(upward_imports().values()):
        print("  ", where)
    readers = {foundation: sorted({app for app, _, _, module in cross_app_imports() if module == foundation})
               for foundation in sorted(FOUNDATION)}
    for foundation, apps in readers.items():
        print(f"foundation {foundation} (imports no app), read by: {', '.join(apps)}")
    root = sorted({module for _, path, _, module in cross_app_imports() if path == ROOT_URLCONF})
    print(f"root URLconf {ROOT_URLCONF} (above the layers) imports: {', '.join(root) or '-'}")


if __name__ == "__main__":
    main()
