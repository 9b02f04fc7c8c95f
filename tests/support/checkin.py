"""The check-in's words as content/safeguarding/checkin.yml says them, for tests to compare."""

from __future__ import annotations

CHECKIN = "It sounds like something might be wrong. Are you OK?"
