"""A network for real: the axis and the agency nodes as separate OS processes (``docexchange serve``)."""

from docexchange.serve.deployment import DEPLOYMENT_FILE, Deployment, read_deployment
from docexchange.serve.supervisor import ServeError, Supervisor
from docexchange.serve.worker import WorkerSpec

__all__ = ["DEPLOYMENT_FILE", "Deployment", "ServeError", "Supervisor", "WorkerSpec", "read_deployment"]
