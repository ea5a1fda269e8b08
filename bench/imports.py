"""Print which apps each app imports (module level and inside functions), read with ast.

    .venv/bin/python bench/imports.py          # app -> apps it imports
    .venv/bin/python bench/imports.py --views  # also every import of another app's views

tests/test_layering.py enforces the order this prints against config.layers.
"""

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("config", "accounts", "audit", "clients", "assessments", "programmes", "reports")


def imports(path):
    """Every module name a file imports, wherever the import statement sits."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
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
            yield node.lineno, module
            for alias in node.names:
                # "from clients import views" imports clients.views.
                yield node.lineno, f"{module}.{alias.name}"


def app_files(app):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def graph():
    """{app: {imported app: [(file, line, module), ...]}} for imports between apps."""
    edges = defaultdict(lambda: defaultdict(list))
    for app in APPS:
        for path in app_files(app):
            for line, module in imports(path):
                target = module.split(".")[0]
                if target in APPS and target != app:
                    edges[app][target].append((path.relative_to(ROOT), line, module))
    return edges


def views_imports():
    """Imports of another app's views module: (file, line, module)."""
    found = []
    for app in APPS:
        for path in app_files(app):
            for line, module in imports(path):
                parts = module.split(".")
                if parts[0] in APPS and parts[0] != app and len(parts) > 1 and parts[1].endswith("views"):
                    found.append((path.relative_to(ROOT), line, module))
    return sorted(set(found))


def main():
    edges = graph()
    for app in APPS:
        targets = ", ".join(sorted(edges[app])) or "-"
        print(f"{app:12} -> {targets}")
    cycles = sorted(
        {tuple(sorted((a, b))) for a in edges for b in edges[a] if a in edges.get(b, {})}
    )
    print("cycles:", ", ".join(f"{a} <-> {b}" for a, b in cycles) or "none")
    if "--views" in sys.argv:
        for path, line, module in views_imports():
            print(f"views import: {path}:{line} {module}")


if __name__ == "__main__":
    main()
