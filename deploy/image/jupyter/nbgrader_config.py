"""nbgrader settings for everyone on the course hub (students and instructors).

deploy/image/postBuild copies this file to the environment's etc/jupyter/ (in the
repo2docker image: /srv/conda/envs/notebook/etc/jupyter/nbgrader_config.py), where nbgrader
reads it from any folder. With it a student types only

    nbgrader fetch_assignment 03-symbiosis
    nbgrader submit 03-symbiosis

The instructor's course directory (`make nbgrader NBGRADER_DIR=/srv/nbgrader/course`) has its
own nbgrader_config.py, read after this one when nbgrader runs there.
"""

import os
import pwd

c = get_config()  # noqa: F821 (provided by traitlets when it reads this file)

# The same course id as the course directory's nbgrader_config.py (track2.tools.nbgrader_course)
c.CourseDirectory.course_id = "track2-asia-pacific"

# nbgrader's filesystem exchange. On Zero to JupyterHub it is a shared volume mounted here
# (deploy/z2jh/values.yaml); on one server, a folder made once by the administrator:
#   sudo install -d -m 1777 /srv/nbgrader/exchange
c.Exchange.root = "/srv/nbgrader/exchange"

# `nbgrader collect` warns when a submission's Unix owner is not the student it names
# ("cheating attempt?"). That check means something only where every user has their own
# Unix account (the one-server hub, deploy/jupyterhub_config.py). In Zero to JupyterHub
# every server runs as the same user, jovyan (uid 1000), so every file is jovyan's and the
# check would warn about every student: it is switched off there, and nothing on that hub
# can tell who wrote a submission (README.md, "A course JupyterHub"). The user is the
# process's own, as nbgrader reads it (not $USER, which a user can set).
if pwd.getpwuid(os.getuid()).pw_name == "jovyan":
    c.ExchangeCollect.check_owner = False
