"""Each user's server on the hub: jupyterhub-singleuser, without the Node.js run JupyterLab makes on every start.

``setup_cohort.py`` installs this file as ``PREFIX/bin/mesolab-singleuser``; the hub starts it for every user
(``c.Spawner.cmd`` in jupyterhub_config.py).

When JupyterLab's server extension is imported it asks Yarn (``node yarn.js config --json``, about 0.45 s of CPU)
for the npm registry to build and install lab extensions from. No server on the hub builds or installs lab
extensions: the shared environment is read-only to its users, and root updates it with setup_cohort.py. So the
registry lookup is answered with "no Yarn configuration", what JupyterLab itself does where Node.js is not
installed, instead of starting Node.js once per server (a class starting at once would run it once per trainee).
"""
import sys

try:
    import jupyterlab.commands as _lab_commands
except ImportError:  # no JupyterLab: nothing to skip
    _lab_commands = None

if _lab_commands is not None and hasattr(_lab_commands, "_yarn_config"):
    _lab_commands._yarn_config = lambda logger: {"yarn config": {}, "npm config": {}}

from jupyterhub.singleuser import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
