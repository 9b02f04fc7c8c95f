"""What carebot says, loaded from ``content/`` so that a council can edit words without code.

Texts may hold ``{placeholders}`` filled from the user's local-authority settings
(``content/local_authorities/<la>.yml``) and from the call, so one text serves every council.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.channels.messages import Button


class ContentError(RuntimeError):
    """The content folder is missing something the assistant needs."""


@dataclass(frozen=True)
class ChatText:
    text: str
    buttons: tuple[Button, ...] = ()


class Content:
    def __init__(self, content_dir: Path, local_authority: str) -> None:
        self.content_dir = content_dir
        self.local_authority = local_authority

    @cached_property
    def chat(self) -> dict[str, Any]:
        return _load_yaml(self.content_dir / "chat.yml")["texts"]

    @cached_property
    def intent_texts(self) -> dict[str, str]:
        """Which chat text answers which Rasa intent."""
        return dict(_load_yaml(self.content_dir / "chat.yml")["intents"])

    @cached_property
    def authority(self) -> dict[str, Any]:
        return _load_yaml(self.content_dir / "local_authorities" / f"{self.local_authority}.yml")

    @property
    def retention(self) -> timedelta:
        """How long chat data is kept for this council (its retention_days)."""
        return timedelta(days=int(self.authority.get("retention_days", 90)))

    def fill(self, template: str, **values: str) -> str:
        """Any content text with this council's values (and ``values``) filled in."""
        return _fill(template, {**_flatten(self.authority), **values}).strip()

    def say(self, key: str, **values: str) -> ChatText:
        """The chat text ``key``, with local-authority values and ``values`` filled in."""
        try:
            entry = self.chat[key]
        except KeyError as exc:
            raise ContentError(f"content/chat.yml has no text called {key!r}") from exc
        fill = {**_flatten(self.authority), **values}
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
        """The fixed safeguarding reply: the parent version for parents, else the child's."""
        key = "parent" if audience == "parent" else "child"
        return _fill(self.signposting_texts[key], _flatten(self.authority)).strip()

    def after_concern(self) -> str:
        return _fill(self.signposting_texts["after_concern"], _flatten(self.authority)).strip()

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


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """``{"iro_team": {"phone": "x"}}`` -> ``{"iro_team_phone": "x"}`` for str.format."""
    flat: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}_"))
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
    """One loaded copy of the content per folder and council, shared by actions and channels."""
    return Content(content_dir, local_authority)
