"""`carebot serve` shows carebot's own warnings and hides other packages' deprecation notices."""

from __future__ import annotations

import warnings

from bot.logging_setup import quiet_third_party_warnings

WARN = 'import warnings\nwarnings.warn("{text}", DeprecationWarning)\n'


def warned_from(module: str, text: str) -> None:
    """A DeprecationWarning raised by code in ``module`` (warnings are attributed by name)."""
    exec(compile(WARN.format(text=text), f"{module}.py", "exec"), {"__name__": module})  # noqa: S102


def test_only_other_packages_deprecation_warnings_are_hidden() -> None:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        quiet_third_party_warnings()
        warned_from("typer", "theirs")
        warned_from("rasa.core.tracker_store", "theirs too")
        warned_from("bot.pipeline", "ours")
        warned_from("db.engine", "ours too")
    assert [str(w.message) for w in seen] == ["ours", "ours too"]
