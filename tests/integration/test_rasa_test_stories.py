"""Rasa's own test stories (rasa_project/tests/) pass against the trained model.

This is what `rasa test core --e2e` does (``rasa.core.test.test``: each message's intent and
entities from its text, then every action predicted and compared), run on the session's
loaded agent instead of loading the model a second time in another process. Rasa's test runs
no custom action (it applies the events the story lists), so the in-process actions are not
called here; what they say is tested through the pipeline (test_topic_answers.py and others).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml
from rasa.core.test import test as rasa_test

from bot.rasa_runtime import RasaRuntime

STORIES = Path(__file__).resolve().parents[2] / "rasa_project" / "tests" / "test_stories.yml"


@pytest.mark.anyio
# Rasa says this whenever it reads a domain with slots, as its test does; nothing is wrong.
@pytest.mark.filterwarnings("ignore:Slot auto-fill has been removed:UserWarning")
async def test_every_rasa_test_story_passes(
    runtime: RasaRuntime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # Rasa writes a domain copy there
    result = await rasa_test(
        str(STORIES), runtime.agent, out_directory=str(tmp_path), e2e=True,
        disable_plotting=True,
    )
    written = len(yaml.safe_load(STORIES.read_text())["stories"])
    conversations = result["report"]["conversation_accuracy"]
    failed = (tmp_path / "failed_test_stories.yml").read_text()  # Rasa's "# predicted:" notes
    assert conversations["total"] == written  # every story was read and run
    assert conversations["correct"] == written, failed
