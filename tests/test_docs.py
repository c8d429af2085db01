"""Every command in the README and docs/ still works as written: make targets exist, `mesolab` and `nbgrader`
subcommands exist, scripts, modules and files named exist, links resolve; and the README stays short."""
from __future__ import annotations

import importlib.util
import re
import shlex
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "benchmarks" / "README.md"]
COMMANDS = ("make", "mesolab", "nbgrader", "python", "python3", "jupyter", "bash", ".ci/run")
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
_INLINE = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _strip_fences(text: str) -> str:
    return _FENCE.sub("", text)


def commands(text: str) -> list[str]:
    """Shell commands: the lines of ```bash blocks (continuations joined) and inline code that starts with one."""
    found = []
    for language, block in _FENCE.findall(text):
        if language in ("bash", "sh", "shell", "console", ""):
            joined = re.sub(r"\\\n\s*", " ", block)
            found += [line.split("#")[0].strip() for line in joined.splitlines()]
    for code in _INLINE.findall(_strip_fences(text)):
        if (code.split()[0] in COMMANDS and len(code.split()) > 1) or re.match(r"^[A-Z_]+=\S+ ", code):
            found.append(code.strip())
    return [command for command in found if command and command.split()[0] != "$"]


def _words(command: str) -> list[str]:
    words = shlex.split(command.replace("…", ""), comments=True)
    while words and re.match(r"^[A-Z_]+=", words[0]):  # VAR=value before the command
        words.pop(0)
    return words


def _make_targets() -> set[str]:
    return set(re.findall(r"^([A-Za-z][\w-]*)\s*:(?!=)", (ROOT / "Makefile").read_text(), re.M))


def _is_mesolab_subcommand(name: str) -> bool:
    """`mesolab NAME --help` exits 0 (argparse exits 2 for an unknown subcommand)."""
    import contextlib
    import io

    from mesolab.instructor.cli import main

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            main([name, "--help"])
        except SystemExit as exit:
            return exit.code == 0
    return False


def _nbgrader_subcommands() -> set[str]:
    from nbgrader.apps.nbgraderapp import NbGraderApp

    return set(NbGraderApp.subcommands)


def problems_in_command(command: str) -> list[str]:
    words = _words(command)
    if not words:
        return []
    program, args = words[0], [w for w in words[1:] if not w.startswith("-")]
    if program == "make":
        return [f"`{command}`: no make target {t!r}" for t in args if "=" not in t and t not in _make_targets()]
    if program == "mesolab":
        if not args:
            return [] if words[1:] in (["--help"], ["-h"]) else [f"`{command}`: no mesolab subcommand"]
        return [] if _is_mesolab_subcommand(args[0]) else [f"`{command}`: no mesolab subcommand"]
    if program == "nbgrader":
        return [] if args and args[0] in _nbgrader_subcommands() else [f"`{command}`: no nbgrader subcommand"]
    if program in ("python", "python3"):
        if words[1:2] == ["-m"]:
            module = words[2]
            return [] if importlib.util.find_spec(module) else [f"`{command}`: no module {module}"]
        script = next((w for w in words[1:] if not w.startswith("-")), None)
        return [] if script is None or (ROOT / script).is_file() else [f"`{command}`: no file {script}"]
    if program in ("bash", ".ci/run"):
        script = program if program == ".ci/run" else args[0]
        return [] if (ROOT / script).is_file() else [f"`{command}`: no file {script}"]
    return []


def _top_level() -> set[str]:
    """The repository's top-level files and folders, not those git ignores (made by tests or at run time)."""
    ignored = {line.strip().strip("/") for line in (ROOT / ".gitignore").read_text().splitlines()}
    return {path.name for path in ROOT.iterdir() if path.name not in ignored | {".git"}}


def problems_in_paths(doc: Path, text: str) -> list[str]:
    """Repository paths in inline code (`mesolab/knowledge/`, `source/*/*.ipynb`) and relative links exist."""
    problems = []
    top = _top_level()
    ignored = {line.strip().strip("/") for line in (ROOT / ".gitignore").read_text().splitlines()}
    for code in _INLINE.findall(_strip_fences(text)):
        for token in code.split():
            token = token.rstrip(".,;:)")
            if "/" not in token or token.startswith(("/", "~", "http")) or re.search(r"[<>…{}$=]|NN", token):
                continue  # not a repository path, or a pattern (NN stands for a module number)
            if set(token.split("/")) & ignored:
                continue  # made at run time (e.g. tests/browser/node_modules, by npm ci)
            if token.split("/")[0] not in top:
                continue  # a folder made at run time (submitted/, feedback/, reports/) or on a host
            if "*" in token:
                if not list(ROOT.glob(token)):
                    problems.append(f"{doc.name}: `{token}` matches no file")
            elif not (ROOT / token).exists():
                problems.append(f"{doc.name}: `{token}` does not exist")
    for target in _LINK.findall(text):
        if target.startswith(("http://", "https://", "mailto:", "#")):
            continue
        path = target.split("#")[0]
        if path and not (doc.parent / path).exists():
            problems.append(f"{doc.name}: link {target} does not resolve")
    return problems


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_commands_in_docs_name_real_targets_subcommands_and_files(doc):
    text = doc.read_text(encoding="utf-8")
    problems = [p for command in commands(text) for p in problems_in_command(command)]
    problems += problems_in_paths(doc, text)
    assert problems == []


def test_every_make_target_named_in_the_docs_runs_dry():
    """`make -n` parses the Makefile and resolves each target's prerequisites without running anything."""
    named = {t for doc in DOCS for c in commands(doc.read_text(encoding="utf-8")) if _words(c)[:1] == ["make"]
             for t in _words(c)[1:] if not t.startswith("-") and "=" not in t}
    assert {"lab", "test"} <= named
    for target in sorted(named):
        result = subprocess.run(["make", "-n", "--no-print-directory", target], cwd=ROOT, capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 0, f"make -n {target}: {result.stderr}"


def test_the_checker_catches_broken_commands():
    assert problems_in_command("make tset")
    assert problems_in_command("mesolab grdae 01_skin_layers")
    assert problems_in_command("nbgrader autogarde 01_skin_layers")
    assert problems_in_command("python deploy/jupyterhub/no_such_script.py roster.csv")
    assert problems_in_command("python -m mesolab.no_such_module")
    assert not problems_in_command("MESOLAB_X=1 make test")
    assert problems_in_paths(ROOT / "README.md", "see `mesolab/no_such_file.py` and [x](docs/nothing.md)")


def test_readme_is_short_and_says_the_essentials():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode()) < 8 * 1024
    assert "not medical advice" in readme and "Local law" in readme
    for command in ("make lab", "make test"):
        assert command in readme
    for page in ("instructor-workflow.md", "running-a-cohort.md", "security-model.md", "accessibility.md",
                 "benchmarks/README.md", "layout.md"):
        assert page in readme, page
