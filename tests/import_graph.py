"""The apps' import graph, read by grimp (import-linter's graph library):

    .venv/bin/python -m tests.import_graph   # package -> packages it imports, bottom first

The rules are import-linter contracts in pyproject.toml, which `.venv/bin/lint-imports` checks
(CI runs it). It answers only kept or broken; this prints the graph itself, for a review or an
issue's closing note (any import the layers contract ignores is listed apart)."""

import tomllib
from fnmatch import fnmatchcase
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
APPS: tuple[str, ...] = tuple(CONFIG["root_packages"])
LAYERS_CONTRACT = next(contract for contract in CONFIG["contracts"] if contract["type"] == "layers")
LAYERS: tuple[str, ...] = tuple(LAYERS_CONTRACT["layers"])  # top first, as import-linter reads them
# (importer, imported) patterns; "**" and "*" match any modules, as in import-linter.
IGNORED = [tuple(expression.split(" -> ")) for expression in LAYERS_CONTRACT.get("ignore_imports", [])]


def _ignored(importer: str, imported: str) -> str | None:
    for pattern in IGNORED:
        if fnmatchcase(importer, pattern[0].replace("**", "*")) and fnmatchcase(imported, pattern[1].replace("**", "*")):
            return " -> ".join(pattern)
    return None


def main() -> None:
    graph = grimp.build_graph(*APPS)
    edges: dict[str, set[str]] = {app: set() for app in APPS}
    ignored: dict[str, set[str]] = {}
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            app, other = module.split(".")[0], imported.split(".")[0]
            if other == app or other not in APPS:
                continue
            if pattern := _ignored(module, imported):
                ignored.setdefault(pattern, set()).add(f"{module} -> {imported}")
            else:
                edges[app].add(other)
    for app in reversed(LAYERS):  # bottom first
        print(f"{app:12} -> {', '.join(layer for layer in reversed(LAYERS) if layer in edges[app]) or '-'}")
    for pattern, imports in ignored.items():
        print(f"ignored by the layers contract, {pattern}: {', '.join(sorted(imports))}")


if __name__ == "__main__":
    main()
