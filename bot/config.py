"""Settings, read from the environment once at start.

A frozen dataclass rather than pydantic-settings: Rasa 3.6 pins pydantic 1.10,
so v2-era settings libraries cannot be installed beside it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO_ROOT / "var"


class ConfigError(RuntimeError):
    """The environment does not describe a runnable carebot."""


def is_demo_database(database_url: str, data_dir: Path) -> bool:
    """A SQLite file inside the data folder: the only database demo mode may touch."""
    prefix = "sqlite:///"
    if not database_url.startswith(prefix):
        return False
    path = Path(database_url[len(prefix):].split("?", 1)[0])
    return path.resolve().is_relative_to(data_dir.resolve())


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    rasa_project_dir: Path
    models_dir: Path
    content_dir: Path
    local_authority: str
    demo_mode: bool
    telegram_bot_token: str | None = None
    telegram_api_base_url: str = "https://api.telegram.org"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_bot_username: str | None = None
    log_level: str = "INFO"
    public_url: str = "http://127.0.0.1:8000"
    max_message_chars: int = 4096
    # Signs the staff dashboard's CSRF tokens; derived from the data key when unset.
    session_secret: str | None = None
    # Understanding (NLU) in a child process beside the server (bot/nlu/parse_process.py).
    nlu_in_child_process: bool = False

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        data_dir = Path(env.get("CAREBOT_DATA_DIR", DEFAULT_DATA_DIR))
        rasa_dir = Path(env.get("CAREBOT_RASA_PROJECT", REPO_ROOT / "rasa_project"))
        database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'carebot.db'}"
        demo_mode = env.get("CAREBOT_DEMO", "0").lower() in {"1", "true", "yes"}
        if demo_mode and not is_demo_database(database_url, data_dir):
            raise ConfigError(
                "CAREBOT_DEMO=1 with DATABASE_URL pointing outside the demo data folder "
                f"({data_dir}). Demo mode adds accounts with published passwords, so it only "
                "runs on a SQLite database in CAREBOT_DATA_DIR: unset DATABASE_URL for a demo, "
                "or CAREBOT_DEMO for real data."
            )
        webhook_url = env.get("TELEGRAM_WEBHOOK_URL") or None
        webhook_secret = env.get("TELEGRAM_WEBHOOK_SECRET") or None
        if webhook_url and not webhook_secret:
            raise ConfigError(
                "TELEGRAM_WEBHOOK_URL is set but TELEGRAM_WEBHOOK_SECRET is not: "
                "the webhook must be able to check that updates come from Telegram."
            )
        return cls(
            database_url=database_url,
            data_dir=data_dir,
            rasa_project_dir=rasa_dir,
            models_dir=Path(env.get("CAREBOT_MODELS_DIR", rasa_dir / "models")),
            content_dir=Path(env.get("CAREBOT_CONTENT_DIR", REPO_ROOT / "content")),
            local_authority=env.get("CAREBOT_LOCAL_AUTHORITY", "demoshire"),
            demo_mode=demo_mode,
            telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            telegram_api_base_url=(
                env.get("TELEGRAM_API_BASE_URL") or "https://api.telegram.org"
            ).rstrip("/"),
            telegram_webhook_url=webhook_url,
            telegram_webhook_secret=webhook_secret,
            telegram_bot_username=env.get("TELEGRAM_BOT_USERNAME") or None,
            log_level=env.get("CAREBOT_LOG_LEVEL", "INFO").upper(),
            public_url=(env.get("CAREBOT_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/"),
            session_secret=env.get("CAREBOT_SESSION_SECRET") or None,
            nlu_in_child_process=env.get("CAREBOT_NLU_PROCESS", "1").lower()
            not in {"0", "false", "no"},
        )
