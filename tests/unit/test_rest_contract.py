import json

import pytest

from bot.channels.rest import BadRequest, parse_rest_body, replies_as_json
from bot.messages import Button, Reply


def body(**fields: object) -> bytes:
    return json.dumps(fields).encode()


def test_a_well_formed_request_is_accepted() -> None:
    parsed = parse_rest_body(body(sender="abc", message="hello"))
    assert (parsed.sender, parsed.message) == ("abc", "hello")


@pytest.mark.parametrize(
    ("raw", "complaint"),
    [
        (b"not json", "must be JSON"),
        (b"[1, 2]", "JSON object"),
        (body(message="hi"), '"sender"'),
        (body(sender="", message="hi"), '"sender"'),
        (body(sender=5, message="hi"), '"sender"'),
        (body(sender="x" * 129, message="hi"), '"sender"'),
        (body(sender="abc"), '"message"'),
        (body(sender="abc", message=None), '"message"'),
        (b'{"sender": "a", "message": "b", "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
         "must be JSON"),
        (b"\xff\xfe", "must be JSON"),
    ],
)
def test_bad_requests_are_refused_with_a_reason(raw: bytes, complaint: str) -> None:
    with pytest.raises(BadRequest, match=complaint):
        parse_rest_body(raw)


def test_a_long_message_is_passed_on_for_the_safety_screen_to_read_first() -> None:
    assert parse_rest_body(body(sender="a", message="x" * 5000)).message == "x" * 5000


def test_replies_follow_the_rasa_rest_shape() -> None:
    replies = [Reply("one"), Reply("two", [Button("Yes", "/affirm")])]
    assert replies_as_json("abc", replies) == [
        {"recipient_id": "abc", "text": "one"},
        {"recipient_id": "abc", "text": "two", "buttons": [{"title": "Yes", "payload": "/affirm"}]},
    ]


def test_lone_surrogates_in_json_become_replacement_characters_and_pairs_stay_whole() -> None:
    raw = b'{"sender": "s\\ud800", "message": "hi \\udfff there \\ud83d\\ude42"}'
    parsed = parse_rest_body(raw)
    assert parsed.message == "hi \ufffd there \U0001F642"
    assert parsed.sender == "s\ufffd"
    parsed.message.encode("utf-8")  # storable and hashable now
