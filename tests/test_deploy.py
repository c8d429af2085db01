"""The cohort deployment's files, without a hub: roster checks, generated Jupyter config, Kubernetes values in step.

The real thing (accounts, hub, exchange, attacks) is tests/hub/test_hub_e2e.py (`make test-hub`, root).
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from traitlets.config.loader import PyFileConfigLoader

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def setup_cohort():
    spec = importlib.util.spec_from_file_location("setup_cohort", REPO / "deploy" / "jupyterhub" / "setup_cohort.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _roster(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(text)
    return path


def test_roster_reads_roles_names_and_optional_passwords(setup_cohort, tmp_path):
    members = setup_cohort.read_roster(_roster(tmp_path, "username,role,full_name,password\n"
                                                         "akinyi,Instructor,Akinyi Otieno,\n"
                                                         "t001,trainee,\"Souza, Ana\",s3cret\n"
                                                         "t002,student,,\n"))
    assert [(m.username, m.role, m.password) for m in members] == [
        ("akinyi", "instructor", None), ("t001", "trainee", "s3cret"), ("t002", "trainee", None)]
    assert members[1].full_name == "Souza  Ana", "a comma would split the passwd comment field"
    assert members[2].full_name == "t002"


@pytest.mark.parametrize("text, message", [
    ("username,role\nRoot!,trainee\nakinyi,instructor\n", "not a valid unix user name"),
    ("username,role\nakinyi,instructor\nt001,admin\n", "role must be instructor or trainee"),
    ("username,role\nakinyi,instructor\nakinyi,trainee\n", "listed twice"),
    ("username,role\nt001,trainee\n", "no instructor"),
])
def test_roster_mistakes_stop_the_setup(setup_cohort, tmp_path, text, message):
    with pytest.raises(SystemExit, match=message):
        setup_cohort.read_roster(_roster(tmp_path, text))


def test_instructor_extensions_are_off_for_everyone_and_on_for_instructors(setup_cohort, tmp_path):
    setup_cohort.write_configs(tmp_path, Path("/srv/exchange"))
    shared, instructor = tmp_path / "etc" / "jupyter", tmp_path / "etc" / "jupyter-instructor"
    shared_server = json.loads((shared / "jupyter_server_config.json").read_text())
    assert shared_server["KernelManager"]["transport"] == "ipc", "kernels on TCP ports race when many start at once"
    off = shared_server["ServerApp"]
    on = json.loads((instructor / "jupyter_server_config.json").read_text())["ServerApp"]
    assert off["jpserver_extensions"] == {"nbgrader.server_extensions.formgrader": False,
                                          "nbgrader.server_extensions.course_list": False,
                                          "jupyter_lsp": False}  # no language server installed: start-up cost only
    assert on["jpserver_extensions"] == {"nbgrader.server_extensions.formgrader": True,
                                         "nbgrader.server_extensions.course_list": True}
    assert "tornado_settings" not in off, "trainees keep JupyterHub's frame-ancestors 'none'"
    assert on["tornado_settings"]["headers"]["Content-Security-Policy"] == "frame-ancestors 'self'"
    lab_off = json.loads((shared / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    lab_on = json.loads((instructor / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    assert set(lab_off) == {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                            "@jupyter/nbgrader:course-list"} and all(lab_off.values())
    assert lab_on == {name: False for name in lab_off}


def _import_lab_extension(tmp_path: Path, launcher: Path | None) -> bool:
    """Import JupyterLab's server extension (through ``launcher`` if given) with a ``node`` on PATH that leaves a
    mark; whether Node.js was run."""
    bin_dir, stub = tmp_path / "bin", tmp_path / "stub" / "jupyterhub"
    bin_dir.mkdir(exist_ok=True)
    stub.mkdir(parents=True, exist_ok=True)
    mark = tmp_path / "node-ran"
    mark.unlink(missing_ok=True)
    (bin_dir / "node").write_text(f"#!/bin/sh\ntouch {mark}\nexit 1\n")
    (bin_dir / "node").chmod(0o755)
    # jupyterhub is not in the development environment: a stand-in whose main() imports what the real one loads.
    (stub / "__init__.py").write_text("")
    (stub / "singleuser.py").write_text("def main():\n    import jupyterlab.labapp\n    return 0\n")
    code = (f"import runpy; runpy.run_path({str(launcher)!r}, run_name='__main__')" if launcher
            else "import jupyterlab.labapp")
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PYTHONPATH": str(tmp_path / "stub")}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return mark.exists()


def test_servers_start_without_running_nodejs(setup_cohort, tmp_path):
    setup_cohort.write_configs(tmp_path / "prefix", Path("/srv/exchange"))
    launcher = tmp_path / "prefix" / "bin" / "mesolab-singleuser"
    assert launcher.read_text().startswith(f"#!{tmp_path / 'prefix' / 'bin' / 'python'}\n")
    assert launcher.stat().st_mode & 0o777 == 0o755
    assert "mesolab-singleuser" in (REPO / "deploy" / "jupyterhub" / "jupyterhub_config.py").read_text()
    assert _import_lab_extension(tmp_path, None), "JupyterLab no longer runs Node.js at import: drop the launcher"
    assert not _import_lab_extension(tmp_path, launcher)


def test_setup_uninstalls_what_slows_every_server_start(setup_cohort, tmp_path, monkeypatch):
    commands = []
    monkeypatch.setattr(setup_cohort, "run", lambda command, **kwargs: commands.append(command))
    site = tmp_path / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    setup_cohort.trim_environment(tmp_path)
    assert commands == [], "nothing installed, nothing to uninstall"
    (site / "rfc3987_syntax-1.1.0.dist-info").mkdir()
    setup_cohort.trim_environment(tmp_path)
    assert len(commands) == 1 and commands[0][-1] == "rfc3987-syntax" and "uninstall" in commands[0]


def test_every_server_uses_the_exchange_and_private_submissions(setup_cohort, tmp_path):
    setup_cohort.write_configs(tmp_path, Path("/srv/exchange"))
    config = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path / "etc" / "jupyter")).load_config()
    assert config.CourseDirectory.course_id == "mesolab"
    assert config.Exchange.root == "/srv/exchange"
    assert config.ExchangeFactory.submit == "mesolab.exchange.PrivateExchangeSubmit"
    from mesolab.exchange import PrivateExchangeSubmit  # importable where the servers run
    from nbgrader.exchange.default import ExchangeSubmit

    assert issubclass(PrivateExchangeSubmit, ExchangeSubmit)


def test_instructor_nbgrader_config_reads_the_course_in_the_home(setup_cohort, tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "mesolab").mkdir(parents=True)
    (home / "mesolab" / "nbgrader_config.py").write_text(
        setup_cohort.adapted_course_config(REPO, Path("/srv/exchange")))
    monkeypatch.setenv("HOME", str(home))
    setup_cohort.write_configs(tmp_path / "prefix", Path("/srv/exchange"))
    config = PyFileConfigLoader("nbgrader_config.py",
                                path=str(tmp_path / "prefix" / "etc" / "jupyter-instructor")).load_config()
    course = (home / "mesolab").resolve()
    assert config.CourseDirectory.root == str(course)
    assert config.Exchange.root == "/srv/exchange"
    assert config.CourseDirectory.db_url == f"sqlite:///{course / 'gradebook.db'}"


def test_kubernetes_values_mirror_the_tested_single_host_config(setup_cohort):
    """deploy/kubernetes is untested: at least keep it saying what the tested deployment says."""
    values = yaml.safe_load((REPO / "deploy" / "kubernetes" / "z2jh-values.yaml").read_text())
    files = values["singleuser"]["extraFiles"]
    assert files["server-trainee"]["data"]["ServerApp"]["jpserver_extensions"] == {
        name: False for name in setup_cohort.INSTRUCTOR_SERVER_EXTENSIONS}
    assert files["server-instructor"]["data"]["ServerApp"]["jpserver_extensions"] == {
        name: True for name in setup_cohort.INSTRUCTOR_SERVER_EXTENSIONS}
    assert set(files["lab-trainee"]["data"]["disabledExtensions"]) == set(setup_cohort.INSTRUCTOR_LAB_EXTENSIONS)
    assert files["server-instructor"]["data"]["ServerApp"]["tornado_settings"]["headers"][
        "Content-Security-Policy"] == setup_cohort.INSTRUCTOR_CSP
    hub_config = (REPO / "deploy" / "jupyterhub" / "jupyterhub_config.py").read_text()
    for scope in values["hub"]["loadRoles"]["mesolab-instructor"]["scopes"]:
        assert f'"{scope}"' in hub_config, f"{scope} is in the Kubernetes role but not in the tested one"
    assert "admin_users" not in json.dumps(values["hub"]["config"].get("Authenticator", {}))
    dockerfile = (REPO / "deploy" / "kubernetes" / "ngshare.Dockerfile").read_text()
    assert '"SQLAlchemy<2"' in dockerfile and '"alembic<1.14"' in dockerfile
    documents = list(yaml.safe_load_all((REPO / "deploy" / "kubernetes" / "ngshare.yaml").read_text()))
    assert {d["kind"] for d in documents} == {"Secret", "PersistentVolumeClaim", "Deployment", "Service",
                                             "NetworkPolicy"}
