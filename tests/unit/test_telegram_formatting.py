"""Replies as Telegram HTML: escaped so no word is read as markup, list lines as bullets; and
the stand-in reads HTML as Telegram does, so a test can tell accepted from refused."""

import pytest

from bot.channels.telegram.formatting import as_html
from tests.support.fake_bot_api import shown


def test_text_is_escaped_and_list_lines_become_bullets() -> None:
    text = "Fish & chips <3\n- Childline: 0800 1111\n  - Samaritans: 116 123\nnot-a-list - here"
    html = as_html(text)
    assert html == ("Fish &amp; chips &lt;3\n\u2022 Childline: 0800 1111\n"
                    "\u2022 Samaritans: 116 123\nnot-a-list - here")
    assert shown({"text": html, "parse_mode": "HTML"}) == (
        "Fish & chips <3\n\u2022 Childline: 0800 1111\n\u2022 Samaritans: 116 123\n"
        "not-a-list - here")


@pytest.mark.parametrize("refused", ["a <script>x</script>", "1 < 2", "&nbsp;", "<p>hi</p>"])
def test_the_stand_in_refuses_what_telegram_refuses(refused: str) -> None:
    with pytest.raises(ValueError):
        shown({"text": refused, "parse_mode": "HTML"})


def test_without_parse_mode_the_text_is_shown_as_sent() -> None:
    assert shown({"text": "1 < 2 & <b>"}) == "1 < 2 & <b>"
