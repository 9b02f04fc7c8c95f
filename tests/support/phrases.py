"""Phrases made unique with a random tag, for finding one test's answers in stored data.

A random hex tag can read as a disclosure to the recall-first safety screen once its digits
are read as letters ("ab5ecd" -> "absecd" -> "abuse"): measured at about 1 in 1,100 six-character
tags. A test that expects a form answer to be saved would then see the signposting reply
instead, so tags the screen flags are drawn again.
"""

from __future__ import annotations

import uuid

from tests.support.safety_screen import repo_safety_screen


def tagged_phrase(words: str, tag_chars: int = 8) -> str:
    """``words`` and a random tag, never a text the project's safety screen flags."""
    screen = repo_safety_screen()
    while True:
        phrase = f"{words} {uuid.uuid4().hex[:tag_chars]}"
        if not screen.check(phrase).is_concern:
            return phrase
