"""A cohort on a real JupyterHub: the whole nbgrader exchange flow, then the attacks that must fail.

setup_cohort.py builds the shared environment and creates an instructor and two trainees (fresh unix users,
removed afterwards); JupyterHub and configurable-http-proxy run on free loopback ports with the deployment's own
config (deploy/jupyterhub/). Trainees act through the hub's REST API and nbgrader's server extension in their own
servers, through the proxy, with tokens obtained with their passwords; the instructor runs the nbgrader commands
as the instructor's unix user, as in a terminal of the instructor's server.

Flow: release module 01 -> both trainees fetch -> one writes the solution, one wrong answers -> submit ->
collect -> autograde -> generate and release feedback -> trainees fetch feedback; scores from the gradebook.
Then each attack is its own test and must be refused. Last, a trainee logs in through the hub's login page in
headless Chromium and sees the fetched notebook open in JupyterLab.
"""
from __future__ import annotations

import grp
import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import hubkit
from course import Assignment, answer_options, answers_with, autograded_scores, correct_values, wrong_value

pytestmark = [pytest.mark.hub, pytest.mark.timeout(1800)]  # the first run also builds the shared environment

ASSIGNMENT = "01_skin_layers"
NOTEBOOK = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"


@dataclass
class Flow:
    """What the exchange flow produced, for the tests below."""

    honest: str  # the trainee who wrote the solution
    wrong: str  # the trainee who wrote wrong answers (and then attacks)
    submissions: dict[str, Path]  # trainee -> their submission folder in the exchange's inbound/
    scores: dict[str, float]
    auto_points: float
    feedback: dict[str, list[str]]  # trainee -> feedback files they fetched
    timings: dict[str, object] = field(default_factory=dict)


def _answered(notebook: dict, answers: dict[str, str]) -> dict:
    """The fetched notebook with each answer cell's code replaced (as a trainee typing into it)."""
    found = set()
    for cell in notebook["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = answers[grade_id]
            found.add(grade_id)
    assert found == set(answers), f"answer cells missing from the fetched notebook: {set(answers) - found}"
    return notebook


def _trainee_works(hub: hubkit.Hub, trainee: str, answers: dict[str, str]) -> None:
    listing = hub.as_user(trainee, "GET", f"/user/{trainee}/assignments", params={"course_id": "mesolab"})
    assert listing.status_code == 200, f"{trainee} lists assignments: {listing.status_code} {listing.text[:500]}"
    released = [a["assignment_id"] for a in listing.json()["value"] if a["status"] == "released"]
    assert ASSIGNMENT in released, f"{trainee} does not see {ASSIGNMENT} released: {listing.json()}"
    fetched = hub.nbgrader_action(trainee, "fetch", ASSIGNMENT)
    assert fetched.status_code == 200, f"{trainee} fetch: {fetched.status_code} {fetched.text[:500]}"
    notebook = hub.as_user(trainee, "GET", f"/user/{trainee}/api/contents/{NOTEBOOK}")
    assert notebook.status_code == 200, f"{trainee}: fetched notebook not in the home folder ({notebook.status_code})"
    saved = hub.as_user(trainee, "PUT", f"/user/{trainee}/api/contents/{NOTEBOOK}", json={
        "type": "notebook", "format": "json", "content": _answered(notebook.json()["content"], answers)})
    assert saved.status_code == 200, f"{trainee} saves answers: {saved.status_code} {saved.text[:500]}"
    submitted = hub.nbgrader_action(trainee, "submit", ASSIGNMENT)
    body = submitted.json()
    assert submitted.status_code == 200 and not (isinstance(body, dict) and body.get("success") is False), \
        f"{trainee} submit: {submitted.status_code} {body}"


def _fetch_feedback(hub: hubkit.Hub, trainee: str) -> list[str]:
    response = hub.nbgrader_action(trainee, "fetch_feedback", ASSIGNMENT)
    assert response.status_code == 200, f"{trainee} fetch_feedback: {response.status_code} {response.text[:500]}"
    folder = hub.as_user(trainee, "GET", f"/user/{trainee}/api/contents/{ASSIGNMENT}/feedback")
    assert folder.status_code == 200, f"{trainee}: no feedback folder after fetch_feedback ({folder.status_code})"
    files = []
    for attempt in folder.json()["content"]:
        listing = hub.as_user(trainee, "GET", f"/user/{trainee}/api/contents/{attempt['path']}").json()
        files += [entry["path"] for entry in listing["content"] if entry["name"].endswith(".html")]
    return files


@pytest.fixture(scope="module")
def flow(hub: hubkit.Hub, cohort: hubkit.Cohort, hub_output_dir: Path) -> Flow:
    timings: dict[str, object] = {}
    started = time.monotonic()

    def lap(name: str) -> None:
        timings[name] = round(time.monotonic() - started, 1)

    honest, wrong = cohort.trainees
    assignment = Assignment.load(ASSIGNMENT)
    right = correct_values(assignment)
    options = answer_options(assignment)
    answers = {honest: assignment.correct_answers(),
               wrong: answers_with(assignment, {n: wrong_value(v, options.get(n)) for n, v in right.items()})}

    timings["servers started (s each)"] = hub.start_servers(cohort.users)
    lap("servers ready")
    hubkit.instructor_nbgrader(cohort, "generate_assignment", ASSIGNMENT)
    hubkit.instructor_nbgrader(cohort, "release_assignment", ASSIGNMENT)
    lap("released")
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda trainee: _trainee_works(hub, trainee, answers[trainee]), cohort.trainees))
    lap("fetched, answered, submitted")
    submissions = {}
    for trainee in cohort.trainees:
        found = sorted((cohort.course_folder / "inbound").glob(f"{trainee}+{ASSIGNMENT}+*"))
        assert len(found) == 1, f"{trainee}: expected one submission in inbound/, found {found}"
        submissions[trainee] = found[0]
    hubkit.instructor_nbgrader(cohort, "collect", ASSIGNMENT)
    hubkit.instructor_nbgrader(cohort, "autograde", ASSIGNMENT)
    hubkit.instructor_nbgrader(cohort, "generate_feedback", ASSIGNMENT)
    hubkit.instructor_nbgrader(cohort, "release_feedback", ASSIGNMENT)
    lap("collected, graded, feedback released")
    with ThreadPoolExecutor(max_workers=2) as pool:
        feedback = dict(zip(cohort.trainees, pool.map(lambda t: _fetch_feedback(hub, t), cohort.trainees)))
    lap("feedback fetched")
    scores = autograded_scores(cohort.course, ASSIGNMENT)
    hubkit.save_json(hub_output_dir / "flow-timings.json", timings)
    return Flow(honest, wrong, submissions, scores, assignment.auto_points, feedback, timings)


# --- the flow -----------------------------------------------------------------------------------------------------

def test_correct_answers_get_full_autograded_marks(flow: Flow):
    assert flow.scores.get(flow.honest) == flow.auto_points, \
        f"the trainee who wrote the solution got {flow.scores.get(flow.honest)} of {flow.auto_points}"


def test_wrong_answers_get_no_autograded_marks(flow: Flow):
    assert flow.scores.get(flow.wrong) == 0.0, f"the trainee who wrote wrong answers got {flow.scores.get(flow.wrong)}"


def test_each_trainee_fetched_their_feedback(flow: Flow):
    for trainee, files in flow.feedback.items():
        assert len(files) == 1 and files[0].endswith(f"/{ASSIGNMENT}.html"), \
            f"{trainee} should have fetched one feedback page for {ASSIGNMENT}, found {files}"


def test_submissions_are_private_to_their_owner_and_the_instructors(flow: Flow, cohort: hubkit.Cohort):
    folder = flow.submissions[flow.honest]
    mode, group = folder.stat().st_mode & 0o7777, folder.stat().st_gid
    assert (oct(mode), grp.getgrgid(group).gr_name) == (oct(0o770), cohort.group), \
        "a submission folder must be 0770 with the instructors' group (mesolab.exchange.PrivateExchangeSubmit)"


# --- file-system attacks: run as the attacking trainee, like code in their own kernel or terminal ---------------

PROBE = r'''
import json, os, sys
results = {}
for name, op, *paths in json.loads(sys.argv[1]):
    try:
        if op == "read":
            with open(paths[0], "rb") as handle:
                handle.read(1)
        elif op == "list":
            os.listdir(paths[0])
        elif op == "rename":
            os.rename(paths[0], paths[1])
            os.rename(paths[1], paths[0])  # undo, so that one breach does not hide the next
        elif op == "write":
            with open(paths[0], "x") as handle:
                handle.write("planted")
            os.unlink(paths[0])
        elif op == "rmdir":
            os.rmdir(paths[0])
            os.mkdir(paths[0])
        results[name] = "ALLOWED"
    except PermissionError:
        results[name] = "denied"
    except OSError as error:
        results[name] = f"{type(error).__name__}: {error}"
print(json.dumps(results))
'''


def _probe(user: str, operations: list[tuple[str, ...]], cohort: hubkit.Cohort) -> dict[str, str]:
    result = hubkit.run_as(user, [str(hubkit.PREFIX / "bin" / "python"), "-c", PROBE, json.dumps(operations)],
                           cwd=cohort.run_dir)
    return json.loads(result.stdout)


def _inbound(flow: Flow, cohort: hubkit.Cohort) -> Path:
    return flow.submissions[flow.honest]


# name -> what the attacking trainee tries: (operation, path[, path]) built from the flow and the cohort.
ATTACKS = {
    "list the exchange's inbound (whose submissions exist)":
        lambda f, c: ("list", c.course_folder / "inbound"),
    "read another trainee's notebook in inbound, knowing its name":
        lambda f, c: ("read", _inbound(f, c) / f"{ASSIGNMENT}.ipynb"),
    "read another trainee's submission secret (it names their feedback file)":
        lambda f, c: ("read", _inbound(f, c) / "submission_secret.txt"),
    "list another trainee's submission folder":
        lambda f, c: ("list", _inbound(f, c)),
    "rename another trainee's submission away":
        lambda f, c: ("rename", _inbound(f, c), _inbound(f, c).with_name(_inbound(f, c).name + "x")),
    "read another trainee's collected submission in the instructor's course":
        lambda f, c: ("read", c.course / "submitted" / f.honest / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
    "read another trainee's autograded notebook in the instructor's course":
        lambda f, c: ("read", c.course / "autograded" / f.honest / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
    "read the instructor's source/ (solutions, hidden tests)":
        lambda f, c: ("read", c.course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
    "read the gradebook":
        lambda f, c: ("read", c.course / "gradebook.db"),
    "read another trainee's home":
        lambda f, c: ("read", c.home(f.honest) / NOTEBOOK),
    "hijack the course folder: rename it (to plant a fake one)":
        lambda f, c: ("rename", c.course_folder, c.exchange / "mesolab-hijacked"),
    "hijack the course folder: remove it":
        lambda f, c: ("rmdir", c.course_folder),
    "hijack inbound/: rename it (to plant one that collects submissions)":
        lambda f, c: ("rename", c.course_folder / "inbound", c.course_folder / "inbound-hijacked"),
    "plant a file in the released assignment":
        lambda f, c: ("write", c.course_folder / "outbound" / ASSIGNMENT / "planted.py"),
    "plant a fake assignment in outbound/":
        lambda f, c: ("write", c.course_folder / "outbound" / "planted.ipynb"),
}


@pytest.fixture(scope="module")
def file_attack_results(flow: Flow, cohort: hubkit.Cohort) -> dict[str, str]:
    operations = []
    for name, build in ATTACKS.items():
        operation, target, *rest = build(flow, cohort)
        # Checked as root: a refusal must be a refusal, not a missing file.
        assert (target if operation != "write" else target.parent).exists(), f"{name}: {target} does not exist"
        operations.append((name, operation, str(target), *map(str, rest)))
    return _probe(flow.wrong, operations, cohort)


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_trainee_file_attack_is_refused(attack: str, file_attack_results: dict[str, str], flow: Flow):
    assert file_attack_results[attack] == "denied", \
        f"trainee {flow.wrong} could {attack}: the file system answered {file_attack_results[attack]!r}"


def test_the_probe_can_tell_allowed_from_denied(flow: Flow, cohort: hubkit.Cohort):
    """The same probe, as people who may: the owner reads their submission, the instructor reads it to collect."""
    own = flow.submissions[flow.honest] / f"{ASSIGNMENT}.ipynb"
    assert _probe(flow.honest, [("own", "read", str(own))], cohort) == {"own": "ALLOWED"}
    assert _probe(cohort.instructor, [("collect", "read", str(own)), ("list", "list", str(own.parent))],
                  cohort) == {"collect": "ALLOWED", "list": "ALLOWED"}


# --- hub and server attacks: through the proxy, with real tokens -------------------------------------------------

def test_own_token_opens_own_server(hub: hubkit.Hub, flow: Flow):
    response = hub.as_user(flow.wrong, "GET", f"/user/{flow.wrong}/api/contents")
    assert response.status_code == 200, f"control: a trainee's own token on their own server got {response.status_code}"


def test_trainee_token_cannot_reach_another_trainees_server(hub: hubkit.Hub, flow: Flow):
    for path in (f"/user/{flow.honest}/api/contents/{NOTEBOOK}", f"/user/{flow.honest}/assignments?course_id=mesolab"):
        response = hub.as_user(flow.wrong, "GET", path)
        assert response.status_code == 403, \
            f"{flow.wrong}'s token on {path} got {response.status_code}, expected 403"


def test_instructor_token_cannot_reach_a_trainees_server(hub: hubkit.Hub, flow: Flow, cohort: hubkit.Cohort):
    """Instructors have a custom role, not admin: they cannot open (run code in) a trainee's server."""
    response = hub.as_user(cohort.instructor, "GET", f"/user/{flow.honest}/api/contents")
    assert response.status_code == 403, f"the instructor's token on a trainee's server got {response.status_code}"


def test_instructor_cannot_take_a_trainees_identity(hub: hubkit.Hub, flow: Flow, cohort: hubkit.Cohort):
    response = hub.as_user(cohort.instructor, "POST", f"/hub/api/users/{flow.honest}/tokens", json={})
    assert response.status_code in (403, 404), \
        f"the instructor could ask for a token of a trainee: {response.status_code}"


def test_instructor_role_sees_the_trainees(hub: hubkit.Hub, flow: Flow, cohort: hubkit.Cohort):
    """Control for the two tests above: the role works, it is only narrow."""
    response = hub.as_user(cohort.instructor, "GET", f"/hub/api/users/{flow.honest}")
    assert response.status_code == 200, f"the instructor role cannot read a trainee: {response.status_code}"


def test_trainee_cannot_read_another_user_in_the_hub_api(hub: hubkit.Hub, flow: Flow, cohort: hubkit.Cohort):
    for other in (flow.honest, cohort.instructor):
        response = hub.as_user(flow.wrong, "GET", f"/hub/api/users/{other}")
        assert response.status_code in (403, 404), f"{flow.wrong} read hub user {other}: {response.status_code}"


def test_formgrader_api_is_not_on_a_trainees_server(hub: hubkit.Hub, flow: Flow):
    response = hub.as_user(flow.wrong, "GET", f"/user/{flow.wrong}/formgrader/api/assignments")
    assert response.status_code == 404, \
        f"the formgrader answered on a trainee's own server: {response.status_code} {response.text[:300]}"


def test_trainee_cannot_open_the_instructors_formgrader(hub: hubkit.Hub, flow: Flow, cohort: hubkit.Cohort):
    response = hub.as_user(flow.wrong, "GET", f"/user/{cohort.instructor}/formgrader/api/assignments")
    assert response.status_code == 403, f"a trainee's token on the instructor's formgrader got {response.status_code}"


def test_instructors_formgrader_works_and_may_be_framed_by_lab(hub: hubkit.Hub, flow: Flow, cohort: hubkit.Cohort):
    """Control for the formgrader tests: the API answers the instructor; its page may load inside Lab's frame."""
    api = hub.as_user(cohort.instructor, "GET", f"/user/{cohort.instructor}/formgrader/api/assignments")
    assert api.status_code == 200, f"instructor's formgrader API: {api.status_code} {api.text[:300]}"
    assert ASSIGNMENT in [a["name"] for a in api.json()], f"formgrader does not list {ASSIGNMENT}: {api.json()}"
    page = hub.as_user(cohort.instructor, "GET", f"/user/{cohort.instructor}/formgrader/manage_assignments")
    assert page.status_code == 200, f"formgrader page: {page.status_code}"
    assert "frame-ancestors 'self'" in page.headers.get("Content-Security-Policy", ""), \
        f"the formgrader would be blank inside JupyterLab: CSP {page.headers.get('Content-Security-Policy')!r}"


# --- a trainee in a real browser --------------------------------------------------------------------------------

def test_trainee_logs_in_and_sees_module_01_in_jupyterlab(hub: hubkit.Hub, flow: Flow, cohort: hubkit.Cohort,
                                                          hub_output_dir: Path):
    from playwright.sync_api import sync_playwright

    chromium = "/usr/bin/chromium"
    assert Path(chromium).exists(), "Debian's chromium is needed (apt-get install chromium)"
    trainee = flow.honest
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.set_default_timeout(60_000)
            page.goto(f"{hub.url}/hub/login?next=/user/{trainee}/lab/tree/{NOTEBOOK}")
            page.locator("input[name=username]").fill(trainee)
            page.locator("input[name=password]").fill(cohort.passwords[trainee])
            page.locator("form [type=submit]").click()
            page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
            page.wait_for_function(
                "() => (document.querySelector('#jp-main-statusbar')?.innerText ?? '').includes('| Idle')")
            page.screenshot(path=str(hub_output_dir / "trainee-module01.png"))
            assert page.url.startswith(f"{hub.url}/user/{trainee}/lab"), f"not in the trainee's JupyterLab: {page.url}"
            tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel").first
            assert tab.inner_text().strip() == f"{ASSIGNMENT}.ipynb", f"the open tab is {tab.inner_text()!r}"
            assert page.locator(".jp-NotebookPanel .jp-Cell").count() > 10, "module 01 did not render its cells"
            disabled = page.evaluate(
                "() => JSON.parse(document.getElementById('jupyter-config-data').textContent).disabledExtensions")
            assert "@jupyter/nbgrader:formgrader" in disabled, f"the trainee's Lab offers the formgrader: {disabled}"
        finally:
            browser.close()
