"""nbgrader settings of every user's server on the course hub (JUPYTER_CONFIG_PATH, set by the hub).

The hub sets the variables (deploy/hub/jupyterhub_config.py): the course and the exchange for
everyone; the course directory and the gradebook only in the instructors' servers.
"""
import os

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
c.CourseDirectory.course_id = os.environ["COURSEKIT_COURSE_ID"]
# a folder exchange on this server; unset where the exchange is a service (ngshare, deploy/k8s),
# which then takes the student from the hub's login and configures nbgrader itself
folder_exchange = "COURSEKIT_EXCHANGE" in os.environ
if folder_exchange:
    c.Exchange.root = os.environ["COURSEKIT_EXCHANGE"]
if "COURSEKIT_COURSE_ROOT" in os.environ:
    c.CourseDirectory.root = os.environ["COURSEKIT_COURSE_ROOT"]
    c.CourseDirectory.db_url = os.environ["COURSEKIT_GRADEBOOK"]
    if folder_exchange:  # collect refuses submissions made in another student's name (nbgrader's only warns)
        c.ExchangeFactory.collect = "deploy.hub.exchange.HonestCollect"
