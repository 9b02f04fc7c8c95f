"""Logging that carries ids, intents and timings, never what people typed.

Rasa and its libraries log user text at DEBUG (e.g. "Received user message ..."), so their
loggers are held at WARNING whatever level carebot itself logs at.
"""

from __future__ import annotations

import logging
import os

CHATTY_LIBRARIES = (
    "rasa", "rasa_sdk", "tensorflow", "absl", "apscheduler", "telegram", "httpx", "httpcore",
    "sanic", "asyncio", "aiohttp", "matplotlib", "urllib3", "filelock", "alembic", "spacy",
)


def quiet_ml_environment(data_dir: str) -> None:
    """Environment for Rasa/TensorFlow: no telemetry calls home, no C++ log spam, local cache."""
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("RASA_CACHE_DIRECTORY", os.path.join(data_dir, "rasa-cache"))
    os.environ.setdefault("LOG_LEVEL_LIBRARIES", "WARNING")


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    quiet_library_logs()


def quiet_library_logs() -> None:
    """Hold every library that may log message text at WARNING, stdlib and structlog alike.

    Rasa logs through structlog too; unconfigured, structlog prints every debug event to
    stdout, some with the user's text. Rasa's own configuration filters by stdlib levels.
    """
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
