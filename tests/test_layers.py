"""The layers and rooms of docs/architecture.md, read from the files and the imports of every module.

    floor:          mentorwijs/ (accounts, mail, outbox, forms, files, policy, …): every app may import it
    dissemination   relations, outreach, newsletters
    trainings       runs, meetings, enrolment, attendance, certificates
    ambassadors     certification, assignments, lineage, fidelity
    top:            mentorwijs/overview, mentorwijs/privacy, mentorwijs/urls.py: they compose the apps

A module imports only from its own layer and the layers above it in this list. A lower layer reaches a
higher one through a reverse relation, a signal, a registered hook or a string model reference, never
an import (also not one inside a function)."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
ORDER = ["floor", "dissemination", "trainings", "ambassadors", "top"]
APPS = ("dissemination", "trainings", "ambassadors")
TOP = ("mentorwijs.overview", "mentorwijs.privacy", "mentorwijs.urls")


def layer(module: str) -> str | None:
    """The layer of a dotted module name; None for everything outside the project."""
    if module in TOP or module.startswith(tuple(f"{top}." for top in TOP)):
        return "top"
    for app in APPS:
        if module == app or module.startswith(f"{app}."):
            return app
    if module == "mentorwijs" or module.startswith("mentorwijs."):
        return "floor"
    return None


def project_modules():
    for folder in ("mentorwijs", *APPS):
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue  # migrations name apps by string, and Django orders them
            package = path.name == "__init__.py"
            yield path, ".".join(parts[:-1] if package else parts), package


def imported_names(path: Path, module: str, package: bool):
    """(line, dotted name) of every import in the file, relative ones made absolute."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                yield node.lineno, node.module
                continue
            parts = module.split(".")
            base = parts[: len(parts) - node.level + (1 if package else 0)]
            yield node.lineno, ".".join([*base, node.module] if node.module else base)


def upward_imports() -> list[str]:
    found = []
    for path, module, package in project_modules():
        own = layer(module)
        for line, name in imported_names(path, module, package):
            other = layer(name)
            if other is not None and ORDER.index(other) > ORDER.index(own):
                found.append(f"{path.relative_to(ROOT)}:{line} ({own}) imports {name} ({other})")
    return found


def test_no_module_imports_a_layer_above_its_own():
    assert upward_imports() == []


def test_the_layer_test_sees_an_upward_import(tmp_path, monkeypatch):
    """The reader works: a floor module that imports an app, also inside a function, is named."""
    floor = tmp_path / "mentorwijs"
    floor.mkdir()
    (floor / "__init__.py").write_text("")
    (floor / "helpers.py").write_text("def f():\n    from trainings.models import Training\n")
    (floor / "overview").mkdir()
    (floor / "overview" / "__init__.py").write_text("from . import views\nfrom ambassadors import models\n")
    for app in APPS:
        (tmp_path / app).mkdir()
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)

    assert upward_imports() == ["mentorwijs/helpers.py:2 (floor) imports trainings.models (trainings)"]


FLAT_ROOMS = ("views_", "forms_", "queries_", "urls_", "filters_", "rules_")


def test_every_app_keeps_its_rooms_as_packages_and_its_routes_in_urls_py():
    """An app's views, forms and queries of more than one concern are packages, not views_*.py files
    beside views.py; and only a urls.py lists routes."""
    flat, routes = [], []
    for path, _module, _package in project_modules():
        if path.name.startswith(FLAT_ROOMS):
            flat.append(str(path.relative_to(ROOT)))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assigns = [node for node in tree.body if isinstance(node, ast.Assign | ast.AugAssign)]
        targets = [getattr(node, "target", None) or node.targets[0] for node in assigns]
        if path.name != "urls.py" and any(getattr(target, "id", "") == "urlpatterns" for target in targets):
            routes.append(str(path.relative_to(ROOT)))

    assert flat == []
    assert routes == []


def test_only_views_and_routes_import_views():
    """A rule lives in a service, not a view: template tags, services, queries, forms, tasks and
    signals never import a view module (the views and urls.py may)."""
    found = []
    for path, module, package in project_modules():
        parts = module.split(".")
        if "views" in parts or parts[-1] in ("urls", "admin", "apps") or "management" in parts:
            continue
        for line, name in imported_names(path, module, package):
            if layer(name) is not None and "views" in name.split("."):
                found.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert found == []
