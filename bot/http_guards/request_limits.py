"""How much a request may make the server do, checked before the work.

Bodies are limited by Starlette's own ``RequestBodyLimitMiddleware`` (``Starlette(max_body_size=)``
and ``Route(max_body_size=)``): a declared Content-Length over the limit is refused with 413
before anything is read, and a streamed body is counted as it arrives and refused at the limit,
so a 300 MB request costs the server no more memory than 64 KiB does.

JSON is read with ``loads_limited``: Python's parser recurses once per level of nesting, so
``[[[[...`` tens of thousands deep raised RecursionError (a 500); nesting is counted first.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Every POST: REST, the web chat, sign-in and every staff form. A chat message is at most a
# few thousand characters; the largest staff form (local settings) is a few kilobytes.
MAX_BODY_BYTES = 64 * 1024
# Telegram's updates carry a message and its metadata (a few kilobytes); room to spare.
TELEGRAM_MAX_BODY_BYTES = 1024 * 1024
# The deepest JSON any client sends: REST and chat bodies are flat, Telegram's updates about 6.
MAX_JSON_DEPTH = 32

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


def loads_limited(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads(body)``, or ValueError if arrays and objects nest deeper than ``max_depth``."""
    depth = 0
    for bracket in _BRACKETS.finditer(_STRINGS.sub(b'""', body)):
        depth += 1 if bracket.group() in (b"[", b"{") else -1
        if depth > max_depth:
            raise ValueError(f"JSON nested more than {max_depth} levels deep")
    return json.loads(body)
