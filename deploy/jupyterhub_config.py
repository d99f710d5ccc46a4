"""JupyterHub on one server for the course (README.md, "A course JupyterHub", "On one server").

Every student and instructor has a Unix account on the server and signs in with it (PAM);
each server runs as its user (LocalProcessSpawner), so nbgrader's filesystem exchange keeps
submissions apart as nbgrader's documentation requires ("students must access the
filesystem under different numeric UNIX user ids"). Set it up once, as root:

    python3 -m venv /opt/track2 && . /opt/track2/bin/activate
    pip install -r deploy/image/requirements.txt        # the student image's pins
    deploy/image/postBuild                              # nbgrader_config.py, JupyterLab settings
    npm install -g configurable-http-proxy
    groupadd track2-students; groupadd track2-instructors
    useradd -m -G track2-students STUDENT ...           # one account per student
    useradd -m -G track2-instructors INSTRUCTOR ...     # and per instructor
    install -d -m 1777 /srv/nbgrader/exchange           # the exchange (sticky: nobody
                                                        # removes another user's folder)
    install -d -m 2770 -g track2-instructors /srv/nbgrader/course   # course directory
    install -d -m 700 /srv/jupyterhub                   # the hub's database and cookie secret
    jupyterhub -f deploy/jupyterhub_config.py           # from a folder only root can read

and put HTTPS in front of port 8000 (a reverse proxy such as nginx or Caddy), whose address
is _config.yml's launch_buttons.jupyterhub_url.

Students' servers run without nbgrader's server extensions and JupyterLab plugins (as in
deploy/z2jh/values.yaml); members of the Unix group track2-instructors get them, and only
they can read /srv/nbgrader/course (gradebook, solutions, submissions). Instructors grade
there: `make nbgrader NBGRADER_DIR=/srv/nbgrader/course` in their clone of the course, then
every nbgrader command in /srv/nbgrader/course. nbgrader expects one instructor to manage the
course directory (release, collect, autograde); if several write to it, give them umask 002
so that the group can write what each creates (gradebook.db among it).

tests/test_hub_config.py loads this file with JupyterHub's own config loader and runs it
on loopback (with the test's authenticator and spawner in place of PAM and Unix accounts).
"""

import grp
import os
import sys

c = get_config()  # noqa: F821 (provided by traitlets when JupyterHub reads this file)

STUDENTS_GROUP = "track2-students"        # Unix groups: who may sign in ...
INSTRUCTORS_GROUP = "track2-instructors"  # ... and who grades (also owns /srv/nbgrader/course)
INSTRUCTORS = "instructors"               # the JupyterHub group that gets nbgrader's instructor tools

# The same student server arguments as deploy/z2jh/values.yaml (hub.config.KubeSpawner.args):
# no nbgrader server extensions (about 43 MB a server; students do not grade).
STUDENT_ARGS = [
    '--ServerApp.jpserver_extensions={"nbgrader.server_extensions.formgrader": False, '
    '"nbgrader.server_extensions.course_list": False, "nbgrader.server_extensions.assignment_list": False, '
    '"nbgrader.server_extensions.validate_assignment": False}'
]
# deploy/image/postBuild installed the JupyterLab settings that turn nbgrader's plugins off
# for everyone (etc/jupyter/labconfig/page_config.json) and this folder, which turns them
# back on when it is first on JUPYTER_CONFIG_PATH.
INSTRUCTOR_CONFIG = os.path.join(sys.prefix, "etc", "jupyter", "instructor")


def unix_group_members(name: str) -> list[str]:
    """The members of a Unix group (none if the group does not exist)."""
    try:
        return list(grp.getgrnam(name).gr_mem)
    except KeyError:
        return []


# ------------------------------------------------------------------ the hub
c.JupyterHub.bind_url = "http://127.0.0.1:8000"  # HTTPS comes from the reverse proxy in front
c.JupyterHub.db_url = "sqlite:////srv/jupyterhub/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "/srv/jupyterhub/jupyterhub_cookie_secret"

# Sign-in with the server's Unix accounts; only the course's two groups may sign in.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {STUDENTS_GROUP, INSTRUCTORS_GROUP}
# The JupyterHub group "instructors" is the Unix group's members, read when the hub starts
# (restart the hub after adding an instructor).
c.JupyterHub.load_groups = {INSTRUCTORS: {"users": unix_group_members(INSTRUCTORS_GROUP)}}

# ------------------------------------------------------------------ the servers
c.JupyterHub.spawner_class = "localprocess"  # each server runs as its user's Unix account
c.Spawner.cmd = [os.path.join(sys.prefix, "bin", "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
# nbgitpuller (installed with the image's pins, enabled by pip) serves the course links
# (/hub/user-redirect/git-pull?repo=...), which copy the course into each home.
# LocalProcessSpawner sets no memory limit: the course measured about 250 MB per active
# student (README.md), so size the server for the class.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def track2_server_settings(spawner):
    """Students: no nbgrader server extensions (the JupyterLab plugins are off by default).
    Instructors: both, through the instructor settings folder."""
    if any(group.name == INSTRUCTORS for group in spawner.user.groups):
        paths = [INSTRUCTOR_CONFIG] + [p for p in spawner.environment.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p]
        spawner.environment = {**spawner.environment, "JUPYTER_CONFIG_PATH": os.pathsep.join(paths)}
    else:
        spawner.args = [*spawner.args, *STUDENT_ARGS]


c.Spawner.pre_spawn_hook = track2_server_settings
