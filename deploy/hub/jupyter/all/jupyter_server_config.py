"""Jupyter server settings of every user's server on the course hub (JUPYTER_CONFIG_PATH)."""
c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
# Terminals start a non-login shell: a login shell reads /etc/profile, which resets PATH and
# hides the course's environment (nbgrader, python) that the hub put first.
c.ServerApp.terminado_settings = {"shell_command": ["/bin/bash"]}
