"""Questions about the changes in the law since 2023 get answers with the right facts and the
right in-force wording over REST, one fresh conversation each (../shared/FACTS.md, "Changes
since 2023"). The words are the facts a good answer needs, not carebot's own phrasing."""

from __future__ import annotations

import uuid

import httpx
import pytest

CASES = [
    ("im 19 and left a childrens home, what is staying close",
     ["Staying Close", "not working yet", "from a date the government will set"]),
    ("the council says i cant go on their housing list because i have no local connection, "
     "im 20 and a care leaver", ["10 July 2025", "local connection", "25"]),
    ("can the council say im intentionally homeless? im a care leaver aged 21",
     ["intentionally homeless", "new law", "25"]),
    ("my sons social worker says they might go to court, do they have to offer a family "
     "meeting first", ["family group", "will have to offer"]),
    ("im 16 and theyre moving me into supported accommodation, does it have to be registered",
     ["Ofsted", "28 October 2023"]),
    ("how much is the university bursary for care leavers",
     ["£2,000", "two years"]),
    ("i started an apprenticeship, do care leavers get a bursary",
     ["£3,000", "25", "Universal Credit"]),
]


@pytest.mark.parametrize(("question", "facts"), CASES, ids=[c[0][:30] for c in CASES])
def test_a_question_about_a_change_in_the_law_gets_the_facts_and_the_wording(
    live_server_url: str, question: str, facts: list[str], rest_auth: dict[str, str]
) -> None:
    sender = f"law-{uuid.uuid4()}"
    url = f"{live_server_url}/webhooks/rest/webhook"
    who = "parent" if "my sons" in question else "care_leaver"
    httpx.post(url, json={"sender": sender, "message": f'/set_audience{{"audience":"{who}"}}'},
               headers=rest_auth, timeout=30)
    reply = "\n".join(m.get("text") or "" for m in httpx.post(
        url, json={"sender": sender, "message": question}, headers=rest_auth, timeout=30).json())
    for fact in facts:
        assert fact.lower() in reply.lower(), (fact, reply[:300])
