"""nbgrader's file-system exchange made safe for a shared host (deploy/jupyterhub/), where every trainee has a shell.

Three replacements, plugged in through nbgrader's ``ExchangeFactory`` (``setup_cohort.py`` writes the settings):

* :class:`PrivateExchangeSubmit` (trainees' servers): nbgrader's own submit leaves each submission folder in
  ``inbound/`` mode 0777 with 0644 files, so whoever learns its name can read, copy or delete it (and its
  ``submission_secret.txt``, which names the trainee's feedback file). This closes it to everyone but its owner and
  the instructors' group.
* :class:`SafeExchangeCollect` (the instructor): a submission folder belongs to its trainee, who can put anything
  there after ``nbgrader submit`` -- symlinks to the instructor's solutions or gradebook, hard links, FIFOs, huge
  sparse files, symlink loops, a folder named after another trainee, a forged time. nbgrader's collect copies
  whatever is there, following links, and stops for the whole class on the first error. This collect reads the
  folder only through file descriptors (``O_NOFOLLOW``, ``fstat`` on what was opened, ``dir_fd`` for every name),
  takes only what the rules in :func:`inspect_folder` allow, records the submission time from the kernel's change
  times rather than from the trainee's folder name, skips anything else with one line naming the folder and the
  reason, and always finishes for everyone else.
* :class:`SafeExchangeReleaseFeedback` (the instructor): releases only ``<notebook>.html`` for the notebooks the
  assignment released, one per rostered trainee, under that trainee's own secret. Nothing else from a feedback
  folder (which holds copies of whatever was graded) is ever released.

How the group gets there: ``setup_cohort.py`` creates ``inbound/`` owned by the instructor, group = the
instructors' unix group, mode 3733 (setgid: new folders inherit that group; sticky: nobody removes or renames
another user's folder; -wx for others: trainees can add a folder but not list the others). A trainee's new
submission folder therefore belongs to the instructors' group, and mode 0770 leaves it to the trainee and the
instructors.
"""
from __future__ import annotations

import datetime as dt
import fnmatch
import os
import pwd
import re
import secrets
import shutil
import stat
from dataclasses import dataclass, field

from nbgrader.exchange.default import ExchangeCollect, ExchangeReleaseFeedback, ExchangeSubmit
from nbgrader.utils import notebook_hash, parse_utc
from traitlets import Integer

SUBMISSION_FOLDER_MODE = 0o770
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
#: A folder: never through a symlink; opening a directory never blocks.
OPEN_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _CLOEXEC
#: A file: never through a symlink (ELOOP), never blocking on a FIFO (O_NONBLOCK), never a controlling terminal.
OPEN_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | _CLOEXEC
SECRET_FILE = "submission_secret.txt"
TIMESTAMP_FILE = "timestamp.txt"
#: nbgrader submit writes secrets.token_hex(64); anything else did not come from nbgrader.
SECRET = re.compile(r"[0-9a-f]{32,256}")
#: A student id that is safe as one path component (nbgrader forbids '+' and '*'; no leading dot: no '..').
STUDENT_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}")
NBGRADER_RANDOM = re.compile(r"[A-Za-z0-9_=-]{1,64}")
CHUNK = 1 << 20


def shown(name: str) -> str:
    """A file name as it may appear in one log line: a newline or a control character cannot forge another line."""
    return name if name.isprintable() and name.strip() == name and name else repr(name)


def utc(timestamp_s: float) -> dt.datetime:
    """A POSIX time as nbgrader keeps times: a naive datetime in UTC."""
    return dt.datetime.fromtimestamp(timestamp_s, tz=dt.timezone.utc).replace(tzinfo=None)


def format_utc(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


class Rejected(Exception):
    """A submission folder (or one of its files) that is not collected; the message says why, in words."""


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 20_000_000
    max_total_bytes: int = 50_000_000
    max_entries: int = 64  # names in one submission folder, whatever they are


@dataclass
class FolderName:
    student: str
    assignment: str
    claimed: dt.datetime  # the time in the folder's name: written by the trainee, never trusted alone


def parse_folder_name(name: str, assignment: str) -> FolderName:
    """``student+assignment+timestamp[+random]`` as nbgrader submit names it, or Rejected."""
    if not name.isprintable():
        raise Rejected("its name contains a newline or control character")
    parts = name.split("+")
    if len(parts) not in (3, 4) or parts[1] != assignment:
        raise Rejected("its name is not student+assignment+time[+random]")
    student, _, stamp, *rest = parts
    if not STUDENT_ID.fullmatch(student):
        raise Rejected(f"{shown(student)} is not a valid student id")
    if rest and not NBGRADER_RANDOM.fullmatch(rest[0]):
        raise Rejected("its name ends in something nbgrader submit never writes")
    try:
        claimed = parse_utc(stamp)
    except (ValueError, OverflowError, TypeError, ArithmeticError) as error:
        raise Rejected(f"the time in its name does not parse ({type(error).__name__})") from None
    if claimed is None:
        raise Rejected("its name has no time")
    return FolderName(student, assignment, claimed)


@dataclass
class Inspection:
    """What an accepted submission folder holds, as seen through its descriptors."""

    files: dict[str, os.stat_result] = field(default_factory=dict)  # notebook name -> fstat when inspected
    secret: str = ""
    changed: dt.datetime = dt.datetime.min  # the latest change time (ctime) of the folder and everything in it
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (name, reason) of each entry left out
    folder_id: tuple[int, int] = (0, 0)  # (st_dev, st_ino): the copy must read the very folder inspected


def _open_file(folder_fd: int, name: str) -> int:
    try:
        return os.open(name, OPEN_FILE, dir_fd=folder_fd)
    except OSError as error:
        if error.errno == 40:  # ELOOP: O_NOFOLLOW met a symlink
            raise Rejected("a symbolic link") from None
        if error.errno == 6:  # ENXIO: a Unix socket
            raise Rejected("not a regular file (a socket)") from None
        raise Rejected(f"cannot be opened ({os.strerror(error.errno or 0) or type(error).__name__})") from None


def check_file(info: os.stat_result, owner_uid: int, limits: Limits) -> None:
    """The rules for a file that will be copied: a regular file, the trainee's own, one link, not too big."""
    if not stat.S_ISREG(info.st_mode):
        kind = ("a FIFO" if stat.S_ISFIFO(info.st_mode) else "a folder" if stat.S_ISDIR(info.st_mode)
                else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "a special file")
        raise Rejected(f"not a regular file ({kind})")
    if info.st_uid != owner_uid:
        raise Rejected(f"owned by {_user_name(info.st_uid)}, not by the trainee")
    if info.st_nlink != 1:
        raise Rejected(f"a hard link ({info.st_nlink} names for one file)")
    if info.st_size > limits.max_file_bytes:
        raise Rejected(f"{info.st_size} bytes, more than the limit of {limits.max_file_bytes}")


def inspect_folder(folder_fd: int, owner_uid: int, notebooks: set[str], limits: Limits = Limits()) -> Inspection:
    """Apply the collect rules to an open submission folder; Rejected if nothing gradable is in it.

    Only the names in ``notebooks`` (the notebooks the assignment released) and ``submission_secret.txt`` are
    opened, each with O_NOFOLLOW|O_NONBLOCK relative to ``folder_fd`` and checked with ``fstat`` on the open
    descriptor, so a name swapped for a link between check and use is never followed. Every entry's change time
    counts towards the submission time: adding, renaming or editing anything after submitting moves it later."""
    folder = os.fstat(folder_fd)
    if not stat.S_ISDIR(folder.st_mode):
        raise Rejected("not a folder")
    if folder.st_uid != owner_uid:
        raise Rejected(f"owned by {_user_name(folder.st_uid)}, not by the trainee it names")
    found = Inspection(changed=utc(folder.st_ctime), folder_id=(folder.st_dev, folder.st_ino))
    total = 0
    with os.scandir(folder_fd) as entries:
        for count, entry in enumerate(entries, start=1):
            if count > limits.max_entries:
                raise Rejected(f"more than {limits.max_entries} files in it")
            name = entry.name
            try:
                info = entry.stat(follow_symlinks=False)
                found.changed = max(found.changed, utc(info.st_ctime))
            except OSError:
                pass  # gone meanwhile: its removal changed the folder's own ctime, read below
            if name not in notebooks and name != SECRET_FILE:
                if name != TIMESTAMP_FILE:  # nbgrader's own; the collect writes its own, trusted one
                    found.skipped.append((name, "not a notebook the assignment released"))
                continue
            try:
                fd = _open_file(folder_fd, name)
                try:
                    info = os.fstat(fd)
                    check_file(info, owner_uid, limits)
                    if name == SECRET_FILE:
                        found.secret = _read_secret(fd, info)
                    else:
                        total += info.st_size
                        if total > limits.max_total_bytes:
                            raise Rejected(f"the notebooks together exceed {limits.max_total_bytes} bytes")
                        found.files[name] = info
                finally:
                    os.close(fd)
            except Rejected as why:
                found.skipped.append((name, str(why)))
    found.changed = max(found.changed, utc(os.fstat(folder_fd).st_ctime))
    if not found.files:
        details = "; ".join(f"{shown(name)}: {why}" for name, why in found.skipped)
        raise Rejected("no notebook of the assignment that could be collected" + (f" ({details})" if details else ""))
    if not found.secret:
        raise Rejected("no valid submission_secret.txt (nbgrader submit writes one; without it no feedback can "
                       "be returned)")
    return found


def _read_secret(fd: int, info: os.stat_result) -> str:
    if info.st_size > 1024:
        raise Rejected("not a secret nbgrader wrote (too long)")
    text = os.read(fd, 1025).decode("ascii", "replace").strip()
    if not SECRET.fullmatch(text):
        raise Rejected("not a secret nbgrader wrote")
    return text


def copy_file(folder_fd: int, name: str, expected: os.stat_result, owner_uid: int, destination: str,
              limits: Limits = Limits()) -> os.stat_result:
    """Copy one inspected file into ``destination`` (a new file), Rejected if it is not the same file any more or
    changed while it was read (a trainee rewriting it during the copy)."""
    fd = _open_file(folder_fd, name)
    try:
        before = os.fstat(fd)
        check_file(before, owner_uid, limits)
        if (before.st_ino, before.st_dev) != (expected.st_ino, expected.st_dev):
            raise Rejected("replaced by another file while being collected")
        out = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | _CLOEXEC, 0o644)
        try:
            copied = 0
            while copied <= before.st_size:
                block = os.read(fd, min(CHUNK, before.st_size + 1 - copied))
                if not block:
                    break
                copied += len(block)
                os.write(out, block)
        finally:
            os.close(out)
        after = os.fstat(fd)
        if copied != before.st_size or (after.st_size, after.st_mtime_ns, after.st_ctime_ns) != (
                before.st_size, before.st_mtime_ns, before.st_ctime_ns):
            raise Rejected("changed while being collected")
        return after
    finally:
        os.close(fd)


def submission_time(name: FolderName, changed: dt.datetime, grace_s: float) -> dt.datetime:
    """When a submission was made, as far as the trainee cannot forge it: when the folder or anything in it last
    changed (``changed``).

    The kernel sets a file's change time (ctime) to now on every write, rename, chmod or utime; nobody but root
    can set it back. The time in the folder's name is the trainee's word and never counts: with any tolerance
    for it, a submission made just before the due date could be rewritten just after it and still count as on
    time. nbgrader submit names the folder and then copies, so an honest submission counts a fraction of a
    second after its name says (``grace_s`` only decides when collect mentions the difference)."""
    return changed


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def _gradebook_roster(exchange, assignment: str) -> tuple[set[str], set[str], dt.datetime | None]:
    """(student ids, notebook names the assignment released, due date) from the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(exchange.coursedir.db_url, exchange.coursedir.course_id) as book:
        students = {s.id for s in book.students}
        try:
            found = book.find_assignment(assignment)
            return students, {f"{nb.name}.ipynb" for nb in found.notebooks}, found.duedate
        except MissingEntry:
            return students, set(), None


# --- submit -----------------------------------------------------------------------------------------------------

class PrivateExchangeSubmit(ExchangeSubmit):
    """Submit as nbgrader does, then close the submission folder to other trainees."""

    def copy_files(self) -> None:
        super().copy_files()  # ends with the submission folder at 0777
        folder = os.path.join(self.inbound_path, self.assignment_filename)
        inbound_group = os.stat(self.inbound_path).st_gid
        if os.stat(folder).st_gid != inbound_group:
            os.chmod(folder, 0o700)  # no instructor could collect it, but no other trainee can read it either
            self.fail(f"{self.inbound_path} is not setgid to the instructors' group, so the instructors could not "
                      f"read this submission; it was kept private. Ask your instructor to run setup_cohort.py.")
        os.chmod(folder, SUBMISSION_FOLDER_MODE)


# --- collect ----------------------------------------------------------------------------------------------------

@dataclass
class Candidate:
    name: str
    parsed: FolderName
    uid: int
    ctime: float  # lstat of the folder entry, to consider the most recently changed folders first
    inspection: Inspection | None = None
    time: dt.datetime | None = None


class SafeExchangeCollect(ExchangeCollect):
    """nbgrader collect that takes only what each trainee owns (see the module's docstring and inspect_folder)."""

    max_file_bytes = Integer(Limits.max_file_bytes, help="Largest notebook collected, in bytes").tag(config=True)
    max_total_bytes = Integer(Limits.max_total_bytes, help="Largest submission collected, in bytes").tag(config=True)
    max_entries = Integer(Limits.max_entries, help="Most names in one submission folder").tag(config=True)
    max_folders_per_trainee = Integer(
        20, help="Folders of one trainee that are looked into, the most recently changed first").tag(config=True)
    submit_grace_seconds = Integer(
        30, help="A submission whose last change is further than this from the time in its name is mentioned in "
                 "the log (the last change always counts)").tag(config=True)

    def init_src(self) -> None:
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        assignment = self.coursedir.assignment_id
        self.roster, self.notebooks, self.duedate = _gradebook_roster(self, assignment)
        if not self.notebooks:
            self.fail(f"{assignment} has no notebooks in the gradebook: run `nbgrader generate_assignment "
                      f"{assignment}` first (the collect takes only the notebooks the assignment released)")
        try:
            self.inbound_fd = os.open(self.inbound_path, OPEN_FOLDER)
        except OSError as error:
            self.fail(f"cannot open {self.inbound_path}: {error.strerror}")
        self.limits = Limits(self.max_file_bytes, self.max_total_bytes, self.max_entries)
        self.rejected: list[str] = []
        self.src_records = []

    def init_dest(self) -> None:
        pass

    def _reject(self, name: str, reason: str) -> None:
        line = f"skipped inbound/{shown(name)}: {reason}"
        self.rejected.append(line)
        self.log.warning(line)

    def _candidates(self) -> dict[str, list[Candidate]]:
        assignment = self.coursedir.assignment_id
        wanted = self.coursedir.student_id or "*"
        by_student: dict[str, list[Candidate]] = {}
        with os.scandir(self.inbound_fd) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith("."):  # how an instructor quarantines a folder: collect never looks at it
                    continue
                if f"+{assignment}+" not in name:
                    continue  # another assignment's
                try:
                    parsed = parse_folder_name(name, assignment)
                except Rejected as why:
                    self._reject(name, str(why))
                    continue
                if not fnmatch.fnmatchcase(parsed.student, wanted):
                    continue
                if parsed.student not in self.roster:
                    self._reject(name, f"{parsed.student} is not a trainee in the gradebook")
                    continue
                try:
                    uid = pwd.getpwnam(parsed.student).pw_uid
                except KeyError:
                    self._reject(name, f"{parsed.student} has no unix account on this host")
                    continue
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError as error:
                    self._reject(name, f"cannot be examined ({error.strerror})")
                    continue
                if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
                    self._reject(name, "not a real folder (a symbolic link or a file)")
                    continue
                if info.st_uid != uid:
                    self._reject(name, f"named for {parsed.student} but owned by {_user_name(info.st_uid)}: "
                                       "only a trainee's own folders are collected")
                    continue
                by_student.setdefault(parsed.student, []).append(Candidate(name, parsed, uid, info.st_ctime))
        return by_student

    def _inspect(self, candidate: Candidate) -> bool:
        try:
            fd = os.open(candidate.name, OPEN_FOLDER, dir_fd=self.inbound_fd)
        except OSError as error:
            reason = ("not a real folder (a symbolic link)" if error.errno == 40 else
                      f"cannot be opened ({error.strerror}): the trainee closed it to the instructors")
            self._reject(candidate.name, reason)
            return False
        try:
            candidate.inspection = inspect_folder(fd, candidate.uid, self.notebooks, self.limits)
        except Rejected as why:
            self._reject(candidate.name, str(why))
            return False
        except OSError as error:
            self._reject(candidate.name, f"cannot be read ({error.strerror})")
            return False
        finally:
            os.close(fd)
        candidate.time = submission_time(candidate.parsed, candidate.inspection.changed, self.submit_grace_seconds)
        for name, why in candidate.inspection.skipped:
            self._reject(f"{candidate.name}/{name}", why)
        if abs((candidate.time - candidate.parsed.claimed).total_seconds()) > self.submit_grace_seconds:
            self.log.warning(f"inbound/{shown(candidate.name)}: claims {format_utc(candidate.parsed.claimed)} but "
                             f"last changed {format_utc(candidate.inspection.changed)}: counted as submitted then")
        return True

    def _choose(self, student: str, candidates: list[Candidate]) -> Candidate | None:
        candidates.sort(key=lambda c: c.ctime, reverse=True)
        if len(candidates) > self.max_folders_per_trainee:
            extra = candidates[self.max_folders_per_trainee:]
            line = (f"skipped {len(extra)} older folders of {student} in inbound/: more than "
                    f"{self.max_folders_per_trainee} submission folders")
            self.rejected.append(line)
            self.log.warning(line)
            candidates = candidates[:self.max_folders_per_trainee]
        accepted = sorted((c for c in candidates if self._inspect(c)), key=lambda c: c.time, reverse=True)
        if not accepted:
            return None
        if self.duedate is not None and self.before_duedate:
            on_time = [c for c in accepted if c.time <= self.duedate]
            if on_time:
                return on_time[0]
        return accepted[0]

    def copy_files(self) -> None:
        assignment = self.coursedir.assignment_id
        collected, kept, missing = [], [], []
        try:
            by_student = self._candidates()
            for student in sorted(by_student):
                try:
                    chosen = self._choose(student, by_student[student])
                    if chosen is None:
                        missing.append(student)
                        continue
                    outcome = self._collect(student, chosen)
                    (collected if outcome else kept).append(student)
                except Exception as error:  # noqa: BLE001 - one trainee's folder never stops the others
                    missing.append(student)
                    line = f"skipped the submissions of {student}: {type(error).__name__}: {error}"
                    self.rejected.append(line)
                    self.log.error(line)
        finally:
            os.close(self.inbound_fd)
        self.log.info(f"collect {assignment}: {len(collected)} collected, {len(kept)} already collected, "
                      f"{len(self.rejected)} folders or files skipped"
                      + (f"; nothing collectable from {', '.join(missing)}" if missing else ""))
        if self.rejected:
            self.log.warning("rejected folders stay in inbound/ and are skipped again on every collect; to quarantine "
                             "one, rename it inside inbound/ to a name starting with '.' (see docs/running-a-cohort.md)")

    def _collect(self, student: str, chosen: Candidate) -> bool:
        """Copy ``chosen`` into submitted/<student>/<assignment>/; False if an existing copy was kept."""
        assignment = self.coursedir.assignment_id
        dest = self.coursedir.format_path(self.coursedir.submitted_directory, student, assignment)
        if os.path.isdir(dest):
            existing = self.coursedir.get_existing_timestamp(dest)
            replace = (self.update and (existing is None or chosen.time > existing)) or (
                self.before_duedate and existing != chosen.time)
            if not replace:
                self.log.info(f"{student}: already collected ({'no newer submission' if self.update else 'use --update to replace it'})")
                return False
        parent = os.path.dirname(dest)
        os.makedirs(parent, exist_ok=True)
        staging = os.path.join(parent, f".{assignment}.collecting-{secrets.token_hex(4)}")
        os.mkdir(staging, 0o755)
        try:
            fd = os.open(chosen.name, OPEN_FOLDER, dir_fd=self.inbound_fd)
            try:
                again = os.fstat(fd)
                if (again.st_dev, again.st_ino) != chosen.inspection.folder_id:
                    raise Rejected("replaced by another folder while being collected; run collect again")
                # Anything added, renamed or rewritten since the inspection moves the change time later.
                now_changed = utc(again.st_ctime)
                for name, expected in chosen.inspection.files.items():
                    copied = copy_file(fd, name, expected, chosen.uid, os.path.join(staging, name), self.limits)
                    now_changed = max(now_changed, utc(copied.st_ctime))
            finally:
                os.close(fd)
            if now_changed > chosen.inspection.changed:
                raise Rejected("changed while being collected; run collect again")
            for name, text in ((SECRET_FILE, chosen.inspection.secret), (TIMESTAMP_FILE, format_utc(chosen.time))):
                with open(os.path.join(staging, name), "x", encoding="ascii") as handle:
                    handle.write(text)
            if os.path.isdir(dest):
                old = f"{staging}.old"
                os.rename(dest, old)
                os.rename(staging, dest)
                shutil.rmtree(old)
            else:
                os.rename(staging, dest)
        except Rejected as why:
            shutil.rmtree(staging, ignore_errors=True)
            self._reject(chosen.name, str(why))
            return False
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self.log.info(f"collected {student}: inbound/{shown(chosen.name)}, submitted {format_utc(chosen.time)}")
        return True


# --- feedback ---------------------------------------------------------------------------------------------------

class SafeExchangeReleaseFeedback(ExchangeReleaseFeedback):
    """Release only the feedback page of each released notebook, each to the trainee who submitted it."""

    max_page_bytes = Integer(20_000_000, help="Largest feedback page released, in bytes").tag(config=True)

    def copy_files(self) -> None:
        assignment = self.coursedir.assignment_id
        roster, notebooks, _ = _gradebook_roster(self, assignment)
        wanted = self.coursedir.student_id or "*"
        excluded = set(filter(None, (self.coursedir.student_id_exclude or "").split(",")))
        me = os.geteuid()
        released, skipped = 0, []
        for student in sorted(roster):
            if not fnmatch.fnmatchcase(student, wanted) or student in excluded or not STUDENT_ID.fullmatch(student):
                continue
            folder = self.coursedir.format_path(self.coursedir.feedback_directory, student, assignment)
            try:
                fd = os.open(folder, OPEN_FOLDER)
            except FileNotFoundError:
                continue
            except OSError as error:
                skipped.append(f"{student}: feedback folder cannot be opened ({error.strerror})")
                continue
            try:
                names = set(os.listdir(fd))
                try:
                    secret_fd = _open_file(fd, SECRET_FILE)
                    try:
                        info = os.fstat(secret_fd)
                        if not stat.S_ISREG(info.st_mode):
                            raise Rejected("not a regular file")
                        secret = _read_secret(secret_fd, info)
                    finally:
                        os.close(secret_fd)
                except Rejected as why:
                    skipped.append(f"{student}: {SECRET_FILE}: {why}")
                    continue
                for page in sorted(n for n in names if n.endswith(".html")):
                    notebook_id = page[:-len(".html")]
                    if f"{notebook_id}.ipynb" not in notebooks:
                        skipped.append(f"{student}: {shown(page)}: not the feedback page of a released notebook")
                        continue
                    try:
                        self._release_page(fd, page, me, notebook_hash(secret=secret, notebook_id=notebook_id))
                    except Rejected as why:
                        skipped.append(f"{student}: {shown(page)}: {why}")
                        continue
                    released += 1
                    self.log.info(f"Released feedback for {student} on {assignment}/{notebook_id}")
            finally:
                os.close(fd)
        for line in skipped:
            self.log.warning(f"not released: {line}")
        self.log.info(f"release_feedback {assignment}: {released} pages released, {len(skipped)} skipped")

    def _release_page(self, folder_fd: int, page: str, owner_uid: int, checksum: str) -> None:
        fd = _open_file(folder_fd, page)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != owner_uid:
                raise Rejected("not a regular file written by nbgrader generate_feedback")
            if info.st_size > self.max_page_bytes:
                raise Rejected(f"larger than {self.max_page_bytes} bytes")
            temporary = os.path.join(self.dest_path, f"{checksum}-{secrets.token_hex(4)}-tmp.html")
            out = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | _CLOEXEC, 0o644)
            try:
                while block := os.read(fd, CHUNK):
                    os.write(out, block)
                os.fchmod(out, 0o644)
            finally:
                os.close(out)
            os.replace(temporary, os.path.join(self.dest_path, f"{checksum}.html"))
        finally:
            os.close(fd)
