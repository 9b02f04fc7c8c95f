"""Message my IRO scripted from outside, as a child and their IRO would use carebot (issue 18,
"Must show"): real processes only, `carebot seed-demo`, `carebot invite`, `carebot serve` and
`carebot export`, spoken to over HTTP.

A child redeems an invite on the web chat (the server's cookie is the conversation), sends
/message_iro and a message with a unique phrase; their IRO signs in, finds it from the review
page, and replies with another; the child's next visit to the web chat shows the reply, once.
A disclosure sent as a message to the IRO escalates as everywhere else: the signposting, and
an urgent alert on the IRO's dashboard and the duty team's. The export for the case record
holds the thread; the database holds its words only as ciphertext.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.carebot_process import CarebotServer, demo_env, run_cli
from tests.support.phrases import tagged_phrase
from tests.support.staff import StaffClient

pytestmark = pytest.mark.slow

DISCLOSURE = "my carer hits me when i am late home"  # tests/integration/test_message_my_iro.py


@pytest.fixture
def env(tmp_path: Path, trained_model: Path) -> dict[str, str]:
    return demo_env(tmp_path)


@pytest.fixture
def server(env: dict[str, str]) -> Iterator[CarebotServer]:
    server = CarebotServer(env)
    yield server
    server.stop()


class WebChat:
    """The web chat page's requests: the conversation is the cookie the server sets."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=60)

    def say(self, text: str) -> str:
        response = self.http.post("/chat/messages", json={"message": text})
        assert response.status_code == 200, response.text
        return "\n".join(r["text"] for r in response.json())

    def open_again(self) -> list[str]:
        """What the page shows when it opens: replies from the IRO waiting for it."""
        response = self.http.post("/chat/replies", json={})
        assert response.status_code == 200, response.text
        return [r["text"] for r in response.json()]


def signed_in(base_url: str, username: str) -> StaffClient:
    staff = StaffClient(http=httpx.Client(base_url=base_url, follow_redirects=False, timeout=60))
    assert staff.sign_in(username).status_code == 303  # the demo password
    return staff


def test_a_child_writes_to_their_iro_on_the_web_chat_and_sees_the_reply_next_visit(
    env: dict[str, str], server: CarebotServer, tmp_path: Path
) -> None:
    demo = json.loads(run_cli(["seed-demo", "--json"], env))
    review = next(r for r in demo["reviews"] if r["child"] == "Kai")  # Ben Walsh's
    code = run_cli(["invite", "--review", str(review["id"]), "--role", "child"],
                   env).strip().splitlines()[-1]
    words = tagged_phrase("can my gran come to my review")
    reply = tagged_phrase("yes, she can come at ten")

    server.start()
    child = WebChat(server.base_url)
    assert "Ben Walsh" in child.say(code)
    assert child.http.cookies.get("carebot_chat")
    assert "not for emergencies" in child.say("/message_iro")
    assert "I have sent your message to Ben Walsh" in child.say(words)

    ben = signed_in(server.base_url, "iro.ben")
    page = ben.get(f"/iro/reviews/{review['id']}").text
    assert "Messages to you about this review" in page
    thread = re.search(r'<a href="(/iro/messages/\d+)">From Kai</a>: 1 waiting', page).group(1)
    assert words in ben.get(thread).text
    sent = ben.post(f"{thread}/reply", {"reply": reply})
    assert sent.status_code == 303
    assert sent.headers["location"] == f"{thread}?sent=later"  # the web chat cannot be sent to

    (shown,) = child.open_again()
    assert shown == f"You have a reply from your IRO, Ben Walsh:\n{reply}"
    assert child.open_again() == []  # shown once
    assert WebChat(server.base_url).open_again() == []  # another browser: nothing

    assert "not for emergencies" in child.say("/message_iro")
    said = child.say(DISCLOSURE)
    assert "999" in said and "Childline" in said  # the signposting
    assert "I have sent your message to Ben Walsh" in said  # and it reaches the IRO
    home = ben.get("/iro/").text
    alert = home.split(f"<blockquote class=\"alert-text\">{DISCLOSURE}</blockquote>")[0]
    assert "Urgent:" in alert.rsplit('<li class="alert', 1)[1]
    assert f"Kai ({review['case_reference']})" in alert.rsplit('<li class="alert', 1)[1]
    assert DISCLOSURE in ben.get(thread).text
    assert DISCLOSURE in signed_in(server.base_url, "duty.dev").get("/iro/alerts").text
    server.stop()

    exported = json.loads(run_cli(["export", "--review", str(review["id"])], env))
    (kais,) = exported["threads"]
    assert kais["role"] == "child"
    assert [(m["from"], m["text"]) for m in kais["messages"]] == [
        ("child", words), ("Ben Walsh", reply), ("child", DISCLOSURE)]
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("carebot.db*"))
    assert words.encode() not in stored and reply.encode() not in stored
