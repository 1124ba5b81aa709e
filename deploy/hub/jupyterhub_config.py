"""JupyterHub configuration for one course on one server (settings: settings.py, demo.toml).

Run as root (LocalProcessSpawner starts each user's server as that OS user):
    jupyterhub -f deploy/hub/jupyterhub_config.py      # `make hub` does this for the demo class
"""
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from deploy.hub import settings as hub_settings  # noqa: E402 (needs the repository on sys.path)

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
course = hub_settings.load()
ENV_BIN = course.environment / "bin"   # the users' environment and code (install.py)
USER_CONFIG = course.source / "deploy" / "hub" / "jupyter"

# -- the hub and its proxy: public on ip:port, the proxy's API on port+1, the hub on port+2
c.JupyterHub.ip = course.ip
c.JupyterHub.port = course.port
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = course.port + 2
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{course.port + 1}"
c.ConfigurableHTTPProxy.command = [str(hub_settings.HERE / "node_modules" / ".bin" / "configurable-http-proxy")]
c.JupyterHub.db_url = f"sqlite:///{course.data_dir / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(course.data_dir / "jupyterhub_cookie_secret")

# -- who may log in: the roster; instructors are admins
c.Authenticator.allowed_users = set(course.students) | set(course.instructors)
c.Authenticator.admin_users = set(course.instructors)
if course.authenticator == "pam":
    # the OS accounts' passwords (accounts.py sets the first ones; `passwd` changes them)
    c.JupyterHub.authenticator_class = "pam"
elif course.authenticator == "github":
    c.JupyterHub.authenticator_class = "github"       # OAUTH_CLIENT_ID/_SECRET/CALLBACK_URL
elif course.authenticator == "generic-oauth":
    c.JupyterHub.authenticator_class = "generic-oauth"  # plus GenericOAuthenticator.*_url settings
else:
    c.JupyterHub.authenticator_class = "dummy"        # tests only (settings.py refuses it elsewhere)

# -- each user's server: a process of that OS user, from the shared environment
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(ENV_BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    "PATH": f"{ENV_BIN}:/usr/local/bin:/usr/bin:/bin",
    "COURSEKIT_COURSE_ID": course.course_id,
    "COURSEKIT_EXCHANGE": str(course.exchange),
    "OPENBLAS_NUM_THREADS": "1",
}


def role_environment(spawner):
    """Students: nbgrader's student tools only. Instructors: the course, its gradebook, formgrader."""
    config = [str(USER_CONFIG / "all")]
    extra = {}
    if spawner.user.name in course.instructors:
        config.insert(0, str(USER_CONFIG / "instructor"))   # the formgrader runs no student script
        extra = {"COURSEKIT_COURSE_ROOT": str(course.course_root()), "COURSEKIT_GRADEBOOK": course.db_url(),
                 "PYTHONPATH": str(course.source), hub_settings.SETTINGS_ENV: str(course.users_copy())}
    else:
        config.insert(0, str(USER_CONFIG / "student"))
    spawner.environment = {**spawner.environment, **extra, "JUPYTER_CONFIG_PATH": ":".join(config)}


c.Spawner.pre_spawn_hook = role_environment

# -- grade on submit (off unless the settings list assignments): a service run as the instructor
if course.grade_on_submit:
    c.JupyterHub.services = [{
        "name": "grade-on-submit",
        "command": [str(ENV_BIN / "python"), "-m", "deploy.hub.on_submit"],
        "user": course.instructor,
        "cwd": str(course.source),
        "environment": {"PATH": f"{ENV_BIN}:/usr/bin:/bin", "PYTHONPATH": str(course.source),
                        hub_settings.SETTINGS_ENV: str(course.users_copy()),
                        "OPENBLAS_NUM_THREADS": "1"},
    }]
