"""Logging that carries ids, intents and timings, never what people typed.

Rasa and its libraries log user text at DEBUG (e.g. "Received user message ..."), so their
loggers are held at WARNING whatever level carebot itself logs at.
"""

from __future__ import annotations

import logging
import os
import warnings

CHATTY_LIBRARIES = (
    "rasa", "rasa_sdk", "tensorflow", "absl", "apscheduler", "telegram", "httpx", "httpcore",
    "sanic", "asyncio", "aiohttp", "matplotlib", "urllib3", "filelock", "alembic", "spacy",
)


# Warnings from carebot's own code are always shown; these are its modules.
OWN_MODULES = r"(?!(bot|rasa_project|db|bench|tests)(\.|$))"
# Rasa 3.6 says this about every domain at load; it is about Rasa 2 domains, not carebot's.
RASA_NOTICES = (r".*Slot auto-fill has been removed",)


def quiet_third_party_warnings() -> None:
    """A newcomer running ``carebot serve`` should read carebot's own lines: what is starting,
    the addresses, errors. Rasa 3.6's dependencies (click, pyparsing, SQLAlchemy, TensorFlow)
    warn about their own deprecated calls on every start, in the server and again in its
    understanding process. Only warnings raised from other packages' modules are hidden.

    Rasa's web server, sanic, puts a filter showing every DeprecationWarning "once" in front
    of all others when it is imported, so it is imported here and these filters go in front
    of it again."""
    _hide_third_party_warnings()
    import sanic.app  # noqa: F401 - imported by Rasa anyway; see above

    _hide_third_party_warnings()


def _hide_third_party_warnings() -> None:
    for category in (DeprecationWarning, PendingDeprecationWarning):
        warnings.filterwarnings("ignore", category=category, module=OWN_MODULES)
    for message in RASA_NOTICES:
        warnings.filterwarnings("ignore", message=message, category=UserWarning)


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
