"""The REST channel as a client sees it, against the real app and a real trained model."""

import uuid

import httpx
import pytest
from sqlalchemy import func, select

from db.engine import session_scope
from db.models import ConversationEvent


@pytest.fixture
def post(rest_auth: dict[str, str]):
    """``post(url, payload)``: a call from the test integration."""

    def send(url: str, payload: object) -> httpx.Response:
        return httpx.post(f"{url}/webhooks/rest/webhook", json=payload, headers=rest_auth,
                          timeout=30)

    return send


def event_count(database_url: str) -> int:
    with session_scope(database_url) as session:
        return session.scalar(select(func.count(ConversationEvent.id))) or 0


def test_hello_gets_a_non_empty_reply_addressed_to_the_sender(live_server_url: str, post) -> None:
    sender = f"rest-{uuid.uuid4()}"
    response = post(live_server_url, {"sender": sender, "message": "hello"})
    assert response.status_code == 200
    replies = response.json()
    assert replies and all(r["recipient_id"] == sender for r in replies)
    assert replies[0]["text"].strip()


def test_buttons_come_back_with_title_and_payload(live_server_url: str, post) -> None:
    replies = post(live_server_url, {"sender": "btn", "message": "what can you do"}).json()
    buttons = [b for r in replies for b in r.get("buttons", [])]
    assert buttons and all(set(b) == {"title", "payload"} for b in buttons)


def test_asked_if_it_is_a_person_it_says_it_is_a_computer(live_server_url: str, post) -> None:
    replies = post(live_server_url, {"sender": "honest", "message": "r u a real person"}).json()
    assert "computer program" in replies[0]["text"]


def test_off_topic_questions_get_a_kind_redirect(live_server_url: str, post) -> None:
    replies = post(live_server_url, {"sender": "oos", "message": "tell me a joke"}).json()
    assert "can't help with that" in replies[0]["text"]
    assert "01632 960123" in replies[0]["text"]  # how to reach a person


@pytest.mark.parametrize(
    "payload",
    [
        {"message": "hello"},
        {"sender": "x"},
        {"sender": "", "message": "hello"},
        {"sender": "x", "message": 42},
        ["sender", "message"],
    ],
)
def test_bad_input_gets_a_400_with_a_json_error_and_nothing_is_stored(
    live_server_url: str, base_settings, payload: object, post
) -> None:
    before = event_count(base_settings.database_url)
    response = post(live_server_url, payload)
    assert response.status_code == 400
    assert response.json()["error"]
    assert event_count(base_settings.database_url) == before


def test_malformed_json_gets_a_400(live_server_url: str, rest_auth) -> None:
    response = httpx.post(
        f"{live_server_url}/webhooks/rest/webhook", content=b"{nope", timeout=10,
        headers={"content-type": "application/json", **rest_auth},
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]


def test_health_is_ok_once_the_model_is_loaded(live_server_url: str) -> None:
    response = httpx.get(f"{live_server_url}/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_chat_page_is_served_with_a_strict_content_policy(live_server_url: str) -> None:
    response = httpx.get(f"{live_server_url}/chat")
    assert response.status_code == 200
    assert "<main" in response.text
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert httpx.get(f"{live_server_url}/static/chat.js").status_code == 200
