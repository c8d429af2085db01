"""nbgrader's file-system exchange with private submissions, for a shared host (deploy/jupyterhub/).

nbgrader's own ``ExchangeSubmit`` leaves each submission folder in ``inbound/`` mode 0777 with 0644 files: only
its random name hides it, and whoever learns the name can read, copy or delete another trainee's work (and its
``submission_secret.txt``, which also names the trainee's feedback file). :class:`PrivateExchangeSubmit` closes
the folder to everyone but its owner and the instructors' group.

How the group gets there: ``setup_cohort.py`` creates ``inbound/`` owned by the instructor, group = the
instructors' unix group, mode 3733 (setgid: new folders inherit that group; sticky: nobody removes or renames
another user's folder; -wx for others: trainees can add a folder but not list the others). A trainee's new
submission folder therefore belongs to the instructors' group, and mode 0770 leaves it to the trainee and the
instructors (who read it to collect and may delete it).
"""
from __future__ import annotations

import os

from nbgrader.exchange.default import ExchangeSubmit

SUBMISSION_FOLDER_MODE = 0o770


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
