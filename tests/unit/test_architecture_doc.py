"""docs/architecture.md stays true: every file its "Common changes" and "Layers" sections name
exists, and the layers it draws are the ones import-linter enforces."""

from __future__ import annotations

import re

from bot.config import REPO_ROOT

try:
    import tomllib
except ImportError:  # Python 3.10: the same parser, as a package
    import tomli as tomllib

DOC = (REPO_ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    start = DOC.index(f"## {title}\n")
    end = DOC.find("\n## ", start + 1)
    return DOC[start:end]


def test_every_file_a_common_change_names_exists() -> None:
    named = re.findall(r"`((?:bot|content|rasa_project|tests|db)/[^`<>]+\.(?:py|yml|html))`",
                       section("Common changes"))
    assert len(named) >= 15
    missing = [path for path in named if not (REPO_ROOT / path).exists()]
    assert not missing, f"docs/architecture.md names files that are gone: {missing}"


def test_the_layers_drawn_are_the_layers_enforced() -> None:
    contract = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    enforced = [[m.strip() for m in layer.split("|")]
                for layer in contract["contracts"][0]["layers"]]
    drawn = [re.findall(r"`([a-z_.]+)`", row.split(" | ")[0])
             for row in section("Layers").splitlines() if row.startswith("| `")]
    assert drawn == enforced
