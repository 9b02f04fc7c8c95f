"""Upcoming reviews made for one test: a council, an IRO and a child of the test's own."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from bot.consultation.invites import create_invite
from bot.services.passwords import hash_password
from db.encryption import DataKeys
from db.engine import session_scope
from db.models import (
    Child,
    ConsultationRole,
    IroTeam,
    LocalAuthority,
    Review,
    StaffRole,
    StaffUser,
)
from db.time import utcnow
from tests.support.safety_screen import repo_safety_screen


@dataclass(frozen=True)
class MadeReview:
    review_id: int
    child_name: str
    iro_name: str


def make_review(
    database_url: str, keys: DataKeys, *, days_ahead: float = 14, child_name: str = "Robin"
) -> MadeReview:
    tag = uuid.uuid4().hex[:8]
    with session_scope(database_url) as session:
        la = session.scalar(select(LocalAuthority).where(LocalAuthority.code == "testshire"))
        if la is None:
            la = LocalAuthority(code="testshire", name="Testshire Council")
            session.add(la)
        team = IroTeam(local_authority=la, name=f"Team {tag}")
        iro = StaffUser(
            username=f"iro-{tag}", display_name=f"Sam Iro {tag}", role=StaffRole.IRO, team=team,
            password_hash=hash_password("a-long-test-password"),
        )
        session.add_all([team, iro])
        session.flush()
        child = Child(
            local_authority_id=la.id, iro=iro, case_reference=f"T-{tag}",
            first_name_enc=keys.encrypt(child_name),
        )
        review = Review(child=child, scheduled_for=utcnow() + timedelta(days=days_ahead))
        session.add_all([child, review])
        session.flush()
        return MadeReview(review.id, child_name, iro.display_name)


def make_invite(
    database_url: str, keys: DataKeys, review_id: int, role: str = "child", **options: object
) -> str:
    with session_scope(database_url) as session:
        made = create_invite(
            session, keys, repo_safety_screen(), review_id=review_id, role=ConsultationRole(role),
            web_base_url="http://127.0.0.1:8000", **options,
        )
        return made.code
