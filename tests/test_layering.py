"""Each app imports only apps below it, and no app imports another app's views.

The imports are read with ast, at module level and inside functions alike
(`python -m tests.import_graph` prints the whole graph)."""

from tests.import_graph import (
    APPS,
    FOUNDATION,
    ROOT,
    ROOT_URLCONF,
    cross_app_imports,
    cycles,
    imported_modules,
    layer_edges,
    modules_in,
    upward_imports,
)

# Bottom first; README's "How it is put together" gives the same order.
LAYERS = ("config", "audit", "accounts", "clients", "assessments", "programmes", "reports", "privacy", "practice")


def test_the_layers_name_every_app_in_the_graphs_order():
    assert LAYERS == APPS


def test_no_app_imports_an_app_above_it():
    found = sorted(upward_imports().values())
    assert not found, f"{LAYERS} is the order, bottom first: move the code down or the import up.\n" + "\n".join(found)


def test_no_app_reaches_itself_through_the_imports():
    assert cycles(layer_edges()) == []


def test_the_cycle_finder_finds_long_and_short_cycles():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": {"e"}, "e": {"d"}, "f": {"a"}}
    assert cycles(edges) == ["a -> b -> c -> a", "d -> e -> d"]


def test_the_home_page_is_in_the_app_on_top():
    """Home brings every app together, so it sits above them all (the root URLconf only routes)."""
    from django.urls import resolve, reverse

    assert resolve(reverse("home")).func.__module__.split(".")[0] == LAYERS[-1]


def test_no_app_imports_another_apps_views():
    found = [
        f"{path}:{line} imports {module}"
        for app, path, line, module in cross_app_imports()
        if path != ROOT_URLCONF and module.split(".")[1:2] and module.split(".")[-1].endswith("views")
    ]
    assert not found, "Move the helper out of views, into a module of the lower app:\n" + "\n".join(found)


def test_the_foundation_imports_no_app():
    for module in FOUNDATION:
        path = ROOT.joinpath(*module.split(".")).with_suffix(".py")
        apps = {name.split(".")[0] for _, name in imported_modules(path)} & set(APPS)
        assert not apps - {module.split(".")[0]}, f"{module} must stay plain Python: it imports {apps}"


def test_the_reader_sees_every_kind_of_import():
    """A deferred or relative import counts as much as one at the top of the file."""
    source = (
        "import audit\n"
        "from clients import access\n"
        "from .models import Client\n"
        "def later():\n"
        "    from programmes.views import card_context\n"
    )
    assert sorted(modules_in(source, ("clients",))) == sorted(
        [(1, "audit"), (2, "clients.access"), (3, "clients.models"), (5, "programmes.views")]
    )


def test_every_import_of_the_project_names_a_module_that_exists():
    """A moved module leaves no import behind, even one inside a function or in a script that no
    test runs (bench/, management commands): it fails here, not in the next benchmark."""
    from tests.import_graph import _is_module

    missing = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for folder in (*APPS, "bench")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line, module in imported_modules(path)
        if module.split(".")[0] in APPS and not _is_module(module)
    ]
    assert not missing, "\n".join(missing)


def test_every_name_imported_from_a_package_is_defined_in_it():
    """`from audit import everything` names no module once everything.py has moved, so the test
    above reads it as an import of `audit` itself: here the name must then be one that the
    package's __init__.py defines."""
    import ast

    from tests.import_graph import _is_module

    def defined(package):
        tree = ast.parse(ROOT.joinpath(*package.split("."), "__init__.py").read_text())
        names = set()
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update(target.id for target in targets if isinstance(target, ast.Name))
        return names

    missing = []
    for folder in (*APPS, "bench", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            package = path.relative_to(ROOT).with_suffix("").parts[:-1]
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.ImportFrom):
                    continue
                module = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
                module = ".".join(part for part in (module, node.module) if part)
                if module.split(".")[0] not in APPS or not (ROOT.joinpath(*module.split(".")) / "__init__.py").exists():
                    continue
                missing += [
                    f"{path.relative_to(ROOT)}:{node.lineno} imports {alias.name} from {module}"
                    for alias in node.names
                    if alias.name != "*" and not _is_module(f"{module}.{alias.name}") and alias.name not in defined(module)
                ]
    assert not missing, "\n".join(missing)
