"""Rasa's own validator finds no problem in the training data and domain."""

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2] / "rasa_project"


@pytest.mark.slow
def test_rasa_data_validate_is_clean(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--fail-on-warnings",
         "--domain", "domain", "--data", "data", "--config", "config.yml"],
        cwd=PROJECT, capture_output=True, text=True, timeout=300,
        env={"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3",
             "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
