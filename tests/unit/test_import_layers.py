"""The import layers hold, and a backwards import breaks them (pyproject.toml
[tool.importlinter]; the layers are drawn in docs/architecture.md)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import REPO_ROOT

PACKAGES = ("bench", "bot", "db", "rasa_project")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def copy_of_the_code(into: Path) -> Path:
    """The Python packages and pyproject.toml, so a change can be made without touching the
    work tree."""
    for package in PACKAGES:
        shutil.copytree(REPO_ROOT / package, into / package,
                        ignore=shutil.ignore_patterns("__pycache__", "models", "*.tar.gz",
                                                      "results", "data", "templates", "static"))
    shutil.copy(REPO_ROOT / "pyproject.toml", into / "pyproject.toml")
    return into


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def code(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_of_the_code(tmp_path_factory.mktemp("code"))


def test_the_layers_hold(code: Path) -> None:
    result = lint_imports(code)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(("module", "backwards"), [
    ("bot/safety/screen.py", "import bot.consultation.answers"),  # safety below services
    ("db/models.py", "import bot.pipeline"),  # storage below everything
    ("bot/staff/web.py", "import bot.web.app"),  # the dashboard beside the chat, not above
    ("bot/pipeline.py", "import bot.channels.telegram"),  # channels above the pipeline
])
def test_a_backwards_import_breaks_the_layers(tmp_path: Path, module: str,
                                              backwards: str) -> None:
    changed = copy_of_the_code(tmp_path / "code")
    path = changed / module
    path.write_text(path.read_text() + f"\n{backwards}  # noqa\n")
    result = lint_imports(changed)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout
