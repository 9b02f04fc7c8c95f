"""What carebot says, loaded from ``content/`` so that a council can edit words without code.

Texts may hold ``{placeholders}`` filled from the user's local-authority settings
(``content/local_authorities/<la>.yml``) and from the call, so one text serves every council.

A few of the council's values can be changed by an admin on the staff dashboard
(``bot/services/local_settings.py``). ``Content`` built with an ``overrides`` loader lays them
over the file and keeps the merged values for ``refresh_after`` seconds, so the chat does not
query the database per message; ``refresh()`` makes the next read load them again (the
dashboard calls it after saving, so this process sees a change at once; other worker processes
see it within ``refresh_after`` seconds). Without a loader, ``Content`` reads files only.
"""

from __future__ import annotations

import datetime as dt
import logging
import string
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge.provisions import Provision, load_provisions, provision_values
from bot.messages import Button

log = logging.getLogger(__name__)
REFRESH_AFTER_S = 30.0
Overrides = Callable[[], Mapping[str, Any]]  # {"iro_team.phone": "01632 960000", ...}

class ContentError(RuntimeError):
    """The content folder is missing something the assistant needs."""


@dataclass(frozen=True)
class ChatText:
    text: str
    buttons: tuple[Button, ...] = ()


class Content:
    def __init__(self, content_dir: Path, local_authority: str,
                 overrides: Overrides | None = None,
                 refresh_after: float = REFRESH_AFTER_S) -> None:
        self.content_dir = content_dir
        self.local_authority = local_authority
        self._overrides = overrides
        self.refresh_after = refresh_after
        self._merged: dict[str, Any] | None = None
        self._merged_at = 0.0
        self._lock = threading.Lock()

    @cached_property
    def chat(self) -> dict[str, Any]:
        return _load_yaml(self.content_dir / "chat.yml")["texts"]

    @cached_property
    def unhappy_cues(self) -> dict[str, list[str]]:
        """Phrases that show someone is unhappy with a decision
        (``bot.knowledge.topics.sounds_unhappy``)."""
        return dict(_load_yaml(self.content_dir / "chat.yml").get("unhappy_cues") or {})

    @cached_property
    def menu(self) -> tuple[tuple[str, str], ...]:
        """The chat's commands and what each does, in menu order (Telegram's command menu)."""
        return tuple((item["command"], item["description"])
                     for item in _load_yaml(self.content_dir / "chat.yml").get("menu") or [])

    @cached_property
    def intent_texts(self) -> dict[str, str]:
        """Which chat text answers which Rasa intent."""
        return dict(_load_yaml(self.content_dir / "chat.yml")["intents"])

    @cached_property
    def authority_file(self) -> dict[str, Any]:
        """The council's values as its file has them, without any dashboard changes.

        An optional value the council left out (a blank or missing key in
        ``local_authorities/_fallbacks.yml``) reads as that file's plain "ask your personal
        adviser" text, never as another council's figure."""
        folder = self.content_dir / "local_authorities"
        own = _load_yaml(folder / f"{self.local_authority}.yml")
        fallbacks = folder / "_fallbacks.yml"
        if not fallbacks.exists():
            return own
        return _with_fallbacks(own, _load_yaml(fallbacks))

    @property
    def authority(self) -> dict[str, Any]:
        """The council's values in effect: the file, with the dashboard's changes over it."""
        if self._overrides is None:
            return self.authority_file
        merged = self._merged
        if merged is not None and time.monotonic() - self._merged_at < self.refresh_after:
            return merged
        # Read without holding this lock: the read takes the database's own lock, and a thread
        # already inside a database session may ask for these values (the retention) while
        # this one waits for that session. Holding both in opposite orders deadlocked the
        # server (every request then waited forever). Two threads may both read; one wins.
        loaded = self._load_merged(merged)
        with self._lock:
            if self._merged is merged:  # nobody else reloaded meanwhile
                self._merged = loaded
                self._merged_at = time.monotonic()
            return self._merged  # type: ignore[return-value]

    def refresh(self) -> None:
        """Load the dashboard's changes again at the next read."""
        with self._lock:
            self._merged_at = float("-inf")

    def _load_merged(self, previous: dict[str, Any] | None) -> dict[str, Any]:
        assert self._overrides is not None
        try:
            overrides = dict(self._overrides())
        except Exception:  # e.g. the database is down: keep what we had, try again later
            log.warning("could not load the council's changed settings; using the last known")
            return previous if previous is not None else self.authority_file
        return _merge(self.authority_file, overrides)

    @property
    def retention(self) -> timedelta:
        """How long chat data is kept for this council (its retention_days)."""
        return timedelta(days=int(self.authority.get("retention_days", 90)))

    @cached_property
    def provisions(self) -> dict[str, Provision]:
        """Changes in the law that answers describe (content/law.yml), with their status."""
        return load_provisions(self.content_dir / "law.yml")

    def _values(self, values: dict[str, str]) -> dict[str, str]:
        return {**provision_values(self.provisions, dt.date.today()),
                **flatten(self.authority), **values}

    def fill(self, template: str, **values: str) -> str:
        """Any content text with this council's values (and ``values``) filled in, and each
        change in the law described as it stands today."""
        return _fill(template, self._values(values)).strip()

    def say(self, key: str, **values: str) -> ChatText:
        """The chat text ``key``, with local-authority values and ``values`` filled in."""
        try:
            entry = self.chat[key]
        except KeyError as exc:
            raise ContentError(f"content/chat.yml has no text called {key!r}") from exc
        fill = self._values(values)
        text = _fill(entry["text"], fill)
        buttons = tuple(
            Button(title=_fill(b["title"], fill), payload=b["payload"])
            for b in entry.get("buttons", [])
        )
        return ChatText(text=text.strip(), buttons=buttons)

    @cached_property
    def audience_cues(self) -> dict[str, list[str]]:
        return _load_yaml(self.content_dir / "audience_cues.yml")

    @property
    def safeguarding_lexicon(self) -> Path:
        return self.content_dir / "safeguarding" / "lexicon.yml"

    @cached_property
    def signposting_texts(self) -> dict[str, str]:
        return _load_yaml(self.content_dir / "safeguarding" / "signposting.yml")["texts"]

    def signposting(self, audience: str) -> str:
        """The fixed safeguarding reply: the adults' version (written for parents: "if you are
        worried about a child", the NSPCC) for parents and carers, else the child's."""
        key = "parent" if audience in {"parent", "carer"} else "child"
        return _fill(self.signposting_texts[key], flatten(self.authority)).strip()

    @cached_property
    def checkin_file(self) -> dict[str, Any]:
        return _load_yaml(self.content_dir / "safeguarding" / "checkin.yml")

    def checkin(self, key: str = "checkin") -> ChatText:
        """The check-in when the safety screen is not sure (with its three buttons), or the
        reply to "I'm OK" (``key="ok"``)."""
        text = _fill(self.checkin_file["texts"][key], flatten(self.authority)).strip()
        if key != "checkin":
            return ChatText(text=text)
        buttons = tuple(Button(title=b["title"], payload=b["payload"])
                        for b in self.checkin_file["buttons"])
        return ChatText(text=text, buttons=buttons)

    def after_concern(self) -> str:
        return _fill(self.signposting_texts["after_concern"], flatten(self.authority)).strip()

    def button_payloads(self) -> frozenset[str]:
        """Every payload our buttons send: the only ``/``-texts that reach Rasa as intents."""
        return frozenset(
            b["payload"] for entry in self.chat.values() for b in entry.get("buttons", [])
        )


def _load_yaml(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise ContentError(f"missing content file: {path}")
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def _merge(base: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with each ``"a.b"`` override set; blank values and ones that would replace a
    section are ignored, so every placeholder the file fills is still filled."""
    merged = _copy_sections(base)
    for key, value in overrides.items():
        if value is None or str(value).strip() == "":
            continue
        *sections, name = key.split(".")
        target = merged
        for section in sections:
            target = target.setdefault(section, {})
            if not isinstance(target, dict):
                break
        else:
            if not isinstance(target.get(name), dict):
                target[name] = value
    return merged


def _with_fallbacks(own: dict[str, Any], fallbacks: dict[str, Any]) -> dict[str, Any]:
    merged = _copy_sections(own)
    for key, value in fallbacks.items():
        if isinstance(value, dict):
            section = merged.get(key)
            merged[key] = _with_fallbacks(section if isinstance(section, dict) else {}, value)
        elif merged.get(key) is None or str(merged.get(key)).strip() == "":
            merged[key] = value
    return merged


def _copy_sections(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _copy_sections(v) if isinstance(v, dict) else v for k, v in data.items()}


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """``{"iro_team": {"phone": "x"}}`` -> ``{"iro_team_phone": "x"}`` for str.format."""
    flat: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}_"))
        else:
            flat[name] = str(value)
    return flat


def _fill(template: str, values: dict[str, str]) -> str:
    names = {field for _, field, _, _ in string.Formatter().parse(template) if field}
    missing = names - values.keys()
    if missing:
        raise ContentError(f"no value for {sorted(missing)} in: {template[:60]!r}")
    return template.format(**values)


@lru_cache(maxsize=4)
def content_for(content_dir: Path, local_authority: str) -> Content:
    """One loaded copy of the content per folder and council, from the files only (the web app
    builds its own ``Content`` with the dashboard's changes laid over the council file)."""
    return Content(content_dir, local_authority)
