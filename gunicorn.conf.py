"""Gunicorn's settings for the Procfile's ``web`` line (read from the working directory).

Logs: gunicorn's own lines in the format the app uses (``LOG_FORMAT``; JSON unless
DEBUG); no access log of its own, which would print raw paths with their query strings
(socket tickets): the app writes the access line (``core.observability.middleware``).

Metrics: with ``PROMETHEUS_MULTIPROC_DIR`` set, the workers write their samples there;
it is emptied as the server starts (a sample of a previous run would be counted again)
and a dead worker's live gauges are let go.
"""

import os
import shutil
from pathlib import Path

from core.observability.logs import logging_config

_debug = os.environ.get("DJANGO_DEBUG", "true").strip().lower() in ("1", "true", "yes", "on")
logconfig_dict = logging_config(
    log_format=os.environ.get("LOG_FORMAT", "plain" if _debug else "json").strip().lower(),
    level=os.environ.get("LOG_LEVEL", "INFO"),
)
logconfig_dict["loggers"]["gunicorn.error"] = {"level": "INFO", "handlers": ["console"], "propagate": False}


def on_starting(server) -> None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
