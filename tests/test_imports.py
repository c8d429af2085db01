"""The layers as drawn, read from the package's own imports (``ast``, nothing is imported or run).

knowledge -> domain (with the readings: what a view says in words) -> plots -> widgets; lessons read the domain,
the readings and the plots, never a widget; the instructor and grading tools need no lesson, widget or plot; and
no module imports, directly or through others, a module that imports it back.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mesolab"

KNOWLEDGE = ("mesolab.knowledge",)
DOMAIN = ("mesolab.skin", "mesolab.acne", "mesolab.techniques", "mesolab.cocktails", "mesolab.screening",
          "mesolab.procedure", "mesolab.complications", "mesolab.claims", "mesolab.capstone", "mesolab._validate",
          "mesolab.readings", "mesolab.progress")
PLOTS = ("mesolab.plots",)
WIDGETS = ("mesolab.widgets",)
LESSONS = ("mesolab.lessons", "mesolab.selfcheck")
TOOLS = ("mesolab.instructor", "mesolab.grading", "mesolab.exchange")

#: layer -> (the modules in it, the mesolab modules it may import besides its own, third-party imports it refuses)
RULES = {
    "knowledge": (KNOWLEDGE, (), ("matplotlib", "ipywidgets", "nbgrader")),
    "domain": (DOMAIN, KNOWLEDGE, ("matplotlib", "ipywidgets", "nbgrader", "PIL")),
    "plots": (PLOTS, DOMAIN, ("ipywidgets", "nbgrader")),
    "widgets": (WIDGETS, DOMAIN + PLOTS, ("nbgrader",)),
    "lessons": (LESSONS, KNOWLEDGE + DOMAIN + PLOTS, ("ipywidgets", "nbgrader")),
    "tools": (TOOLS, ("mesolab.modules",), ("ipywidgets",)),
}


def _in(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth of the file (a lazy import inside a function counts too)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            # `from . import table` names a module or a name of the package: a submodule if such a file exists
            found |= {f"{module}.{alias.name}" for alias in node.names
                      if _is_module(f"{module}.{alias.name}")}
    return found


def _is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


GRAPH = {module_name(p): imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_has_a_layer():
    everything = tuple(p for modules, _, _ in RULES.values() for p in modules) + ("mesolab", "mesolab.modules")
    assert [m for m in GRAPH if not _in(m, everything)] == []


def violations(graph: dict[str, set[str]], layer: str) -> list[str]:
    modules, allowed, refused = RULES[layer]
    wrong = []
    for module, imported in graph.items():
        if not _in(module, modules):
            continue
        for target in sorted(imported):
            own = target.split(".")[0] == "mesolab"
            if own and target != "mesolab" and not _in(target, modules + allowed):
                wrong.append(f"{module} imports {target}")
            if not own and target.split(".")[0] in refused:
                wrong.append(f"{module} imports {target}")
    return wrong


def cycles(graph: dict[str, set[str]]) -> list[str]:
    """Each import cycle between the package's modules, as 'a -> b -> a'."""
    own = {m: {t for t in targets if t in graph and t != m} for m, targets in graph.items()}
    found, done = [], set()

    def visit(module: str, path: list[str]) -> None:
        for target in sorted(own[module]):
            if target in path:
                found.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in done:
                visit(target, path + [target])
        done.add(module)

    for module in own:
        if module not in done:
            visit(module, [module])
    return found


@pytest.mark.parametrize("layer", RULES)
def test_layer_imports_only_what_is_below_it(layer):
    assert violations(GRAPH, layer) == []


def test_no_import_cycles():
    assert cycles(GRAPH) == []


def test_the_checks_can_fail():
    """A lesson that borrows a widget's reading, a plot that reads the knowledge base, a report that borrows the
    lessons' palette, and a cycle are all caught."""
    assert "mesolab.readings.acne" in GRAPH["mesolab.lessons.acne_assessment"]  # the parser resolves `from ..`
    bad = {"mesolab.lessons.acne_assessment": {"mesolab.widgets.acne"},
           "mesolab.plots.skin": {"mesolab.knowledge"},
           "mesolab.instructor.figures": {"mesolab.plots.style"},
           "mesolab.skin": {"mesolab.techniques"}, "mesolab.techniques": {"mesolab.skin"}}
    assert violations(bad, "lessons") == ["mesolab.lessons.acne_assessment imports mesolab.widgets.acne"]
    assert violations(bad, "plots") == ["mesolab.plots.skin imports mesolab.knowledge"]
    assert violations(bad, "tools") == ["mesolab.instructor.figures imports mesolab.plots.style"]
    assert cycles(bad) == ["mesolab.skin -> mesolab.techniques -> mesolab.skin"]
