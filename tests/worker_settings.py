"""The production settings, plus the tasks that report their scope (tests/job_probes.py),
for the worker the suite of background jobs starts from the Procfile's own line."""

from config.settings import *  # noqa: F403

CELERY_IMPORTS = ["tests.job_probes"]
