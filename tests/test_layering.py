"""The layering is import-linter's contracts in pyproject.toml (`.venv/bin/lint-imports`, run by CI;
`python -m tests.import_graph` prints the graph). Here only what they do not check: that they
cover every app, that home sits in the top app, and that every import of the project names a
module or name that exists, even one inside a function or in a script no test runs (bench/,
management commands), so a moved module fails here and not in the next benchmark."""

import ast

from tests.import_graph import APPS, LAYERS, ROOT


def _is_module(dotted):
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _project_imports(folders=(*APPS, "bench", "tests")):
    """(file:line, module, imported names) for every import of an app, wherever the statement sits;
    a relative import is resolved, and `import a.b` imports no names."""
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            package = path.relative_to(ROOT).with_suffix("").parts[:-1]
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    found = [(alias.name, ()) for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
                    found = [(".".join(part for part in (base, node.module) if part), tuple(a.name for a in node.names))]
                else:
                    continue
                for module, names in found:
                    if module.split(".")[0] in APPS:
                        yield f"{path.relative_to(ROOT)}:{node.lineno}", module, names


def test_the_layers_contract_orders_every_app():
    from django.apps import apps

    ours = {config.name.split(".")[0] for config in apps.get_app_configs() if (ROOT / config.name.split(".")[0]).is_dir()}
    assert sorted(LAYERS) == sorted(APPS) and ours <= set(APPS)


def test_every_views_module_has_its_forbidden_contract():
    """import-linter matches whole module names: a new views module (programmes/strength_views.py)
    needs its app's contract to name it, or other apps could import it unnoticed."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    forbidden = {module for contract in contracts if contract["type"] == "forbidden"
                 for module in contract["forbidden_modules"]}
    views = {f"{path.parent.name}.{path.stem}" for app in APPS for path in (ROOT / app).glob("*views.py")}
    assert views - {"config.views"} <= forbidden, f"name these in pyproject.toml's contracts: {sorted(views - forbidden)}"


def test_the_home_page_is_in_the_app_on_top():
    """Home brings every app together, so it sits above them all; only config, whose root URLconf
    routes to it, is higher."""
    from django.urls import resolve, reverse

    assert LAYERS[0] == "config"
    assert resolve(reverse("home")).func.__module__.split(".")[0] == LAYERS[1]


def test_the_bottom_packages_are_no_apps():
    """lib and guideline are plain packages under every app: no models, no templates, no app config."""
    from django.apps import apps

    assert LAYERS[-2:] == ("lib", "guideline")
    assert not {config.name for config in apps.get_app_configs()} & {"lib", "guideline"}


def test_every_import_of_the_project_names_a_module_that_exists():
    missing = [f"{where} imports {module}" for where, module, _ in _project_imports() if not _is_module(module)]
    assert not missing, "\n".join(missing)


def test_every_name_imported_from_a_package_is_defined_in_it():
    """`from audit import everything` names no module once everything.py has moved: the name
    must then be one that the package's __init__.py defines."""

    def defined(package):
        names = set()
        for node in ast.parse(ROOT.joinpath(*package.split("."), "__init__.py").read_text()).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update(target.id for target in targets if isinstance(target, ast.Name))
        return names

    missing = [
        f"{where} imports {name} from {module}"
        for where, module, names in _project_imports()
        if (ROOT.joinpath(*module.split(".")) / "__init__.py").exists()
        for name in names
        if name != "*" and not _is_module(f"{module}.{name}") and name not in defined(module)
    ]
    assert not missing, "\n".join(missing)
