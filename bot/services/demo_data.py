"""Demo data: one fictional council, its IRO team and four children with reviews coming up.

Idempotent: running it again finds the council and returns what is there. Demo mode only; the
passwords below are printed for people trying carebot and must never reach a real deployment.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import select

from bot.services.passwords import hash_password
from db.encryption import DataKeys
from db.engine import session_scope
from db.models import (
    Alert,
    Audience,
    ChatUser,
    Child,
    Consultation,
    ConsultationAnswer,
    ConsultationRole,
    IroTeam,
    LocalAuthority,
    Review,
    StaffRole,
    StaffUser,
)
from db.time import as_utc, utcnow

DEMO_LA = {"code": "demoshire", "name": "Demoshire County Council"}
DEMO_STAFF = [
    ("iro.amara", "Amara Okafor", StaffRole.IRO, "demo-iro-amara-2026"),
    ("iro.ben", "Ben Walsh", StaffRole.IRO, "demo-iro-ben-2026"),
    ("manager.cath", "Cath Reid", StaffRole.MANAGER, "demo-manager-2026"),
    ("duty.dev", "Dev Patel", StaffRole.DUTY, "demo-duty-2026!"),
    ("admin.ali", "Ali Khan", StaffRole.ADMIN, "demo-admin-2026"),
]
# (case reference, first name, IRO username, days until the review)
DEMO_CHILDREN = [
    ("DEMO-001", "Jade", "iro.amara", 9),
    ("DEMO-002", "Tyler", "iro.amara", 16),
    ("DEMO-003", "Amira", "iro.ben", 12),
    ("DEMO-004", "Kai", "iro.ben", 23),
]
# Made-up carers' names and addresses (the placement details only the child's IRO sees).
DEMO_PLACEMENTS = {
    "DEMO-001": "Foster carers Sam and Alex Green, 14 Elm Road, Demoton DM1 2AB",
    "DEMO-002": "Foster carer Pat Byrne, 3 Mill Lane, Demoton DM2 4CD",
    "DEMO-003": "Kinship carer (aunt) Noor Haddad, 27 Station Street, Lowford DM5 1EF",
    "DEMO-004": "Oak House children's home, 1 Oak Close, Lowford DM6 7GH",
}
# Each child's previous review, about six months ago, so the annual report has figures:
# (case reference, child's answers or None if not consulted, advocate?, chairing wish,
#  parent consulted?, carer consulted?)
DEMO_PAST_DAYS_AGO = 180
DEMO_PAST = [
    ("DEMO-001", {"family_time": "I want to see my brother more.",
                  "school": "School is better now, I like art."}, True, "co_chair", True, False),
    ("DEMO-002", {"family_time": "More family time with my mum and my brother.",
                  "worries": "Moving school."}, False, "not_this_time", False, True),
    ("DEMO-003", None, False, None, True, True),
    ("DEMO-004", {"family_time": "I miss my family time on Sundays.",
                  "school": "I want to stay at my school."}, True, "chair", False, False),
]
# Views already sent for Jade's review (made up), so the IRO's dashboard has something to show.
DEMO_CHILD_ANSWERS = {
    "home": "Good. My carers are kind and I have my own room now.",
    "school": "OK. I like art but maths is hard.",
    "health": None,  # skipped
    "family_time": "I'd like more. I want to see my brother Leo every week, not every month.",
    "going_well": "Football on Saturdays and my art club.",
    "worries": "Moving schools again.",
    "last_review": "Some of them. I still haven't started swimming lessons.",
    "talk_about": "Seeing Leo more, and staying at my school.",
    "who_comes": "My carers and my teacher Mrs Shah. Not my social worker's manager.",
    "where_when": "At school",
    "chairing": "Together with my IRO",
    "advocate": "Yes please",
    "anything_else": "No, that's all",
}
DEMO_PARENT_ANSWERS = {
    "where_child_lives": "She seems settled and happy there.",
    "plan": "I want to be more involved in decisions about school.",
    "family_time": "Once a month is not enough for me or for her.",
    "discuss": "How she is getting on at school, and more family time.",
    "attend": "Yes, online",
    "anything_else": None,
}
# And her foster carer's (content/forms/carer_consultation.yml), so all three show side by side.
DEMO_CARER_ANSWERS = {
    "home": "Jade has settled in well. She laughs a lot more than when she came.",
    "school": "Doing well in art. Maths homework is a battle some evenings.",
    "health": "Healthy. She still has bad dreams now and then.",
    "family_time": "Time with her mum goes well. She is upset when she can't see Leo.",
    "going_well": "Her football team, and she has made two good friends nearby.",
    "worries": "Another school move would undo a lot of good work.",
    "support": "Some help with maths, and a short break for us in the summer.",
    "plan": "Jade should stay at her school. Please can she see Leo every week?",
    "anything_else": "No, that's all",
}


def seed_demo(database_url: str, keys: DataKeys) -> dict[str, Any]:
    with session_scope(database_url) as session:
        la = session.scalar(select(LocalAuthority).where(LocalAuthority.code == DEMO_LA["code"]))
        if la is None:
            la = LocalAuthority(**DEMO_LA)
            team = IroTeam(local_authority=la, name="Independent Reviewing Team")
            session.add_all([la, team])
            staff = {}
            for username, name, role, password in DEMO_STAFF:
                staff[username] = StaffUser(
                    username=username, display_name=name, role=role, team=team,
                    password_hash=hash_password(password),
                    phone="01632 960123", email=f"{username}@demoshire.example",
                )
            session.add_all(staff.values())
            session.flush()
            today = utcnow().date()
            for ref, first_name, iro, days in DEMO_CHILDREN:
                child = Child(
                    case_reference=ref, first_name_enc=keys.encrypt(first_name),
                    iro=staff[iro], local_authority_id=la.id,
                    placement_details_enc=keys.encrypt(DEMO_PLACEMENTS[ref]),
                )
                when = datetime.combine(today + timedelta(days=days), time(10, 0), timezone.utc)
                session.add_all([child, Review(child=child, scheduled_for=when)])
            session.flush()
            _seed_views_and_alert(session, keys)
            _seed_past_reviews(session, keys)
        return _describe(session, la, keys)


def _seed_views_and_alert(session, keys: DataKeys) -> None:  # noqa: ANN001
    """Jade's, her mum's and her foster carer's sent views, and one urgent alert on Jade's
    review to acknowledge."""
    review = session.scalar(
        select(Review).join(Child)
        .where(Child.case_reference == "DEMO-001", Review.scheduled_for >= utcnow())
    )
    keep_until = as_utc(review.scheduled_for) + timedelta(days=365)
    for role, audience, answers in (
        (ConsultationRole.CHILD, Audience.CHILD, DEMO_CHILD_ANSWERS),
        (ConsultationRole.PARENT, Audience.PARENT, DEMO_PARENT_ANSWERS),
        (ConsultationRole.CARER, Audience.CARER, DEMO_CARER_ANSWERS),
    ):
        user = ChatUser(
            user_key=f"demo-{role.value}-DEMO-001", audience=audience, delete_after=keep_until
        )
        consultation = Consultation(
            review=review, chat_user=user, role=role, submitted_at=utcnow(),
            delete_after=keep_until,
            advocate_requested=role == ConsultationRole.CHILD,
            chair_wish="co_chair" if role == ConsultationRole.CHILD else None,
        )
        consultation.answers = [
            ConsultationAnswer(
                question_key=key, skipped=text is None,
                answer_enc=None if text is None else keys.encrypt(text),
            )
            for key, text in answers.items()
        ]
        session.add_all([user, consultation])
        if role == ConsultationRole.CHILD:
            session.flush()
            session.add(Alert(
                chat_user_id=user.id, review_id=review.id, channel="web",
                categories="indirect_signal",
                text_enc=keys.encrypt("I don't feel safe when the older boy comes round."),
                delete_after=keep_until,
            ))
    session.flush()


def _seed_past_reviews(session, keys: DataKeys) -> None:  # noqa: ANN001
    """Last round of reviews (held), with views sent the week before, and an acknowledged alert."""
    amara = session.scalar(select(StaffUser).where(StaffUser.username == "iro.amara"))
    for ref, answers, advocate, chair_wish, parent, carer in DEMO_PAST:
        child = session.scalar(select(Child).where(Child.case_reference == ref))
        held = datetime.combine(
            utcnow().date() - timedelta(days=DEMO_PAST_DAYS_AGO), time(10, 0), timezone.utc
        )
        review = Review(child=child, scheduled_for=held, status="held")
        keep_until = held + timedelta(days=365)
        sent = held - timedelta(days=7)
        consulted = [(ConsultationRole.CHILD, Audience.CHILD, answers)] if answers else []
        if parent:
            consulted.append((ConsultationRole.PARENT, Audience.PARENT, {}))
        if carer:
            consulted.append((ConsultationRole.CARER, Audience.CARER, {}))
        for role, audience, given in consulted:
            user = ChatUser(user_key=f"demo-past-{role.value}-{ref}", audience=audience,
                            delete_after=keep_until)
            consultation = Consultation(
                review=review, chat_user=user, role=role, submitted_at=sent, read_at=held,
                delete_after=keep_until,
                advocate_requested=advocate and role == ConsultationRole.CHILD,
                chair_wish=chair_wish if role == ConsultationRole.CHILD else None,
            )
            consultation.answers = [
                ConsultationAnswer(question_key=key, answer_enc=keys.encrypt(text))
                for key, text in given.items()
            ]
            session.add_all([user, consultation])
        session.add(review)
        if ref == "DEMO-002":
            session.flush()
            raised = held - timedelta(days=20)
            session.add(Alert(
                review_id=review.id, channel="telegram", categories="self_harm",
                text_enc=keys.encrypt("Sometimes I want to hurt myself."),
                created_at=raised, acknowledged_by_id=amara.id,
                acknowledged_at=raised + timedelta(hours=2), delete_after=keep_until,
            ))
    session.flush()


def _describe(session, la: LocalAuthority, keys: DataKeys) -> dict[str, Any]:  # noqa: ANN001
    passwords = {username: password for username, _, _, password in DEMO_STAFF}
    staff = session.scalars(select(StaffUser).order_by(StaffUser.id)).all()
    reviews = session.scalars(
        select(Review).where(Review.scheduled_for >= utcnow()).order_by(Review.scheduled_for)
    ).all()
    return {
        "local_authority": {"code": la.code, "name": la.name},
        "staff": [
            {
                "username": u.username, "name": u.display_name, "role": u.role.value,
                "password": passwords.get(u.username),
            }
            for u in staff
        ],
        "reviews": [
            {
                "id": r.id,
                "child": keys.decrypt(r.child.first_name_enc),
                "case_reference": r.child.case_reference,
                "iro": r.child.iro.username,
                "scheduled_for": as_utc(r.scheduled_for).isoformat(),
            }
            for r in reviews
        ],
    }
