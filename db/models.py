"""The data model (DESIGN.md): authority -> IRO team -> IRO -> child -> review -> consultation.

Free text is stored only in ``Encrypted*`` columns (ciphertext with a key id); people using the
chat are known only by a keyed hash of their channel id. Rows holding personal data carry a
``delete_after`` date that ``carebot purge`` honours.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db.time import utcnow


class Base(DeclarativeBase):
    pass


class StaffRole(str, enum.Enum):
    IRO = "iro"
    MANAGER = "manager"
    DUTY = "duty"
    ADMIN = "admin"


class Audience(str, enum.Enum):
    UNKNOWN = "unknown"
    CHILD = "child"
    CARE_LEAVER = "care_leaver"
    PARENT = "parent"
    CARER = "carer"  # a foster or kinship carer (grandparent, aunt, older sibling, guardian)


class ConsultationRole(str, enum.Enum):
    """Whose views a consultation holds. Stored as text (a non-native enum of length 20, no
    CHECK constraint), so a new role needs no migration."""

    CHILD = "child"
    PARENT = "parent"
    CARER = "carer"  # the child's foster or kinship carer


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False, length=20)


class LocalAuthority(Base):
    __tablename__ = "local_authorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    teams: Mapped[list[IroTeam]] = relationship(back_populates="local_authority")


class IroTeam(Base):
    __tablename__ = "iro_teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    local_authority_id: Mapped[int] = mapped_column(ForeignKey("local_authorities.id"))
    name: Mapped[str] = mapped_column(String(200))

    local_authority: Mapped[LocalAuthority] = relationship(back_populates="teams")
    members: Mapped[list[StaffUser]] = relationship(back_populates="team")


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    # None until the person sets one with their link, and again after an admin's reset.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[StaffRole] = mapped_column(_enum(StaffRole))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("iro_teams.id"))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # A disabled account cannot sign in and has no sessions (bot/staff/accounts.py).
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The one-time set-password link: a SHA-256 of its random token, and when it stops working.
    password_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_token_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    team: Mapped[IroTeam | None] = relationship(back_populates="members")


class StaffSession(Base):
    """A signed-in staff browser. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Signed out however active the session is, at the latest (also when purge removes it).
    delete_after: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)

    staff_user: Mapped[StaffUser] = relationship()


class SignInThrottle(Base):
    """Failed staff sign-ins counted per address, per username and per pair of both
    (bot/staff/throttle.py), known only by a keyed hash of what they count, so unknown
    usernames are counted exactly like real ones and nothing typed is stored."""

    __tablename__ = "sign_in_throttles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delete_after: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Child(Base):
    """A looked-after child. Only what the IRO needs to recognise the review is kept."""

    __tablename__ = "children"

    id: Mapped[int] = mapped_column(primary_key=True)
    local_authority_id: Mapped[int] = mapped_column(ForeignKey("local_authorities.id"))
    iro_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    case_reference: Mapped[str] = mapped_column(String(40), unique=True)
    first_name_enc: Mapped[str] = mapped_column(Text)
    # The carer's name and address, sealed. Shown on screen only to the child's IRO, and left
    # out of every print and export unless the IRO ticks "include placement details".
    placement_details_enc: Mapped[str | None] = mapped_column(Text)

    iro: Mapped[StaffUser] = relationship()
    reviews: Mapped[list[Review]] = relationship(back_populates="child")


class Review(Base):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    scheduled_for: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="scheduled")

    child: Mapped[Child] = relationship(back_populates="reviews")


class ChatUser(Base):
    """Someone using the chat, known only by a keyed hash of channel + channel id."""

    __tablename__ = "chat_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_key: Mapped[str] = mapped_column(String(64), unique=True)
    audience: Mapped[Audience] = mapped_column(_enum(Audience), default=Audience.UNKNOWN)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    concern_raised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checkin_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set by "message my IRO": until then, the person's next message is their message to
    # their IRO (bot/iro_messages/). Kept here, not in one process, so any worker reads it.
    writing_to_iro_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delete_after: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ConversationEvent(Base):
    """One Rasa tracker event, its JSON sealed (it holds what the user typed)."""

    __tablename__ = "conversation_events"
    __table_args__ = (Index("ix_conversation_events_key_id", "conversation_key", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_key: Mapped[str] = mapped_column(String(64))
    type_name: Mapped[str] = mapped_column(String(60))
    intent_name: Mapped[str | None] = mapped_column(String(120))
    action_name: Mapped[str | None] = mapped_column(String(120))
    timestamp: Mapped[float] = mapped_column(Float)
    data_enc: Mapped[str] = mapped_column(Text)
    delete_after: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Invite(Base):
    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"))
    role: Mapped[ConsultationRole] = mapped_column(_enum(ConsultationRole))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    redeemed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    redeemed_by_id: Mapped[int | None] = mapped_column(ForeignKey("chat_users.id"))
    reminder_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where the one reminder goes (e.g. "telegram:<chat id>"), sealed; only kept when the
    # person agreed to a reminder, and only on a channel that can send one.
    reminder_address_enc: Mapped[str | None] = mapped_column(Text)

    review: Mapped[Review] = relationship()


class Consultation(Base):
    __tablename__ = "consultations"
    __table_args__ = (UniqueConstraint("review_id", "chat_user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"))
    chat_user_id: Mapped[int] = mapped_column(ForeignKey("chat_users.id"))
    role: Mapped[ConsultationRole] = mapped_column(_enum(ConsultationRole))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delete_after: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    invite_id: Mapped[int | None] = mapped_column(ForeignKey("invites.id"))
    advocate_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    chair_wish: Mapped[str | None] = mapped_column(String(40))
    reminder_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    review: Mapped[Review] = relationship()
    chat_user: Mapped[ChatUser] = relationship()
    invite: Mapped[Invite | None] = relationship()
    answers: Mapped[list[ConsultationAnswer]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan"
    )


class ConsultationAnswer(Base):
    __tablename__ = "consultation_answers"
    __table_args__ = (UniqueConstraint("consultation_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    question_key: Mapped[str] = mapped_column(String(60))
    answer_enc: Mapped[str | None] = mapped_column(Text)
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    consultation: Mapped[Consultation] = relationship(back_populates="answers")


class AlertPriority(str, enum.Enum):
    URGENT = "urgent"  # a disclosure: the signposting was given; read it now
    POSSIBLE = "possible"  # a check-in was given; duty reviews it, escalates or closes it


class Alert(Base):
    """A safeguarding alert, stored before the user is answered: urgent (a disclosure) or a
    possible concern (the chat checked in); a possible concern can be escalated to urgent."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_priority_created", "priority", "created_at"),
        Index("ix_alerts_chat_user", "chat_user_id"),
        Index("ix_alerts_fold_key", "fold_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_user_id: Mapped[int | None] = mapped_column(ForeignKey("chat_users.id"))
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id"))
    channel: Mapped[str] = mapped_column(String(20))
    categories: Mapped[str] = mapped_column(String(200))
    text_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delete_after: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    priority: Mapped[str] = mapped_column(String(10), default=AlertPriority.URGENT.value,
                                          server_default=AlertPriority.URGENT.value)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", name="fk_alerts_escalated_by"))
    # Folding (bot/safety/alert_flood.py): how many messages this alert stands for and when
    # the latest came; their words are ``FoldedMessage`` rows. A volume alert has a
    # ``fold_key`` (what it folds: everyone, or one address range, by keyed hash) and no chat
    # user; a person's own alert has none.
    repeats: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    fold_key: Mapped[str | None] = mapped_column(String(80))


class FoldedMessage(Base):
    """One message folded into an alert (a repeat, or one of a flood): every one is kept,
    sealed, so a real disclosure inside a flood can always be read. Deleted with its alert."""

    __tablename__ = "folded_messages"
    __table_args__ = (Index("ix_folded_messages_alert", "alert_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    channel: Mapped[str] = mapped_column(String(20))
    categories: Mapped[str] = mapped_column(String(200))
    text_enc: Mapped[str] = mapped_column(Text)
    delete_after: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # its alert's
    alert: Mapped[Alert] = relationship()


class AuditEntry(Base):
    """Who did what to which record, and when. Never the content."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(20), default="ok")


class LocalSetting(Base):
    """A council value an admin changed on the dashboard, laid over
    ``content/local_authorities/<code>.yml`` (bot/services/local_settings.py). Not personal
    data: the council's own team phone numbers and emails, so no delete-after date."""

    __tablename__ = "local_settings"
    __table_args__ = (UniqueConstraint("local_authority", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    local_authority: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(60))
    value: Mapped[str] = mapped_column(String(300))
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    updated_by: Mapped[StaffUser] = relationship()


class DataRequest(Base):
    """A user's /privacy, /mydata or /delete, dated for staff (no content)."""

    __tablename__ = "data_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_key: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delete_after: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)


class WebConversation(Base):
    """A web chat conversation, known to the browser by a random token in an HttpOnly cookie.

    Only a keyed hash of the token is stored; the conversation's key for the pipeline and the
    Rasa tracker is derived from that hash on the server, so the page cannot choose it
    (bot/services/web_conversations.py)."""

    __tablename__ = "web_conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Ended however active it is, at the latest (also when purge removes it).
    delete_after: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Integration(Base):
    """A trusted system allowed to use the REST endpoint with a bearer token
    (``carebot integration add NAME``). Only a keyed hash of the token is stored; its senders'
    ids are namespaced by ``name``. Not personal data, so no delete-after date."""

    __tablename__ = "integrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IroThread(Base):
    """Messages between one person (a child, parent or carer linked to a review by an
    invite) and the IRO of that review's child. Whoever is the child's IRO now reads it, so a
    covering IRO sees the thread when the child is reassigned."""

    __tablename__ = "iro_threads"
    __table_args__ = (UniqueConstraint("review_id", "chat_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"))
    chat_user_id: Mapped[int] = mapped_column(ForeignKey("chat_users.id"))
    role: Mapped[ConsultationRole] = mapped_column(_enum(ConsultationRole))
    # Where a reply can be sent at once ("telegram:<chat id>"), sealed; only on a channel
    # that can message first. Otherwise a reply waits until the person next writes.
    reply_address_enc: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delete_after: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)

    review: Mapped[Review] = relationship()
    chat_user: Mapped[ChatUser] = relationship()
    messages: Mapped[list[IroMessage]] = relationship(
        back_populates="thread", cascade="all, delete-orphan", order_by="IroMessage.id"
    )


class MessageKind(str, enum.Enum):
    """What a message in a thread is: an ordinary message (the person's, or the IRO's reply),
    or the IRO's letter after the review, which the chat shows with its own words."""

    MESSAGE = "message"
    LETTER = "letter"


class IroMessage(Base):
    """One message in a thread, its words sealed: from the person (``staff_user_id`` None) or
    from staff (a reply, or a letter after the review)."""

    __tablename__ = "iro_messages"
    __table_args__ = (Index("ix_iro_messages_thread_id", "thread_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("iro_threads.id", ondelete="CASCADE"))
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    kind: Mapped[MessageKind] = mapped_column(
        _enum(MessageKind), default=MessageKind.MESSAGE, server_default=MessageKind.MESSAGE.value)
    body_enc: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # From the person: when staff replied to it (a reply answers every earlier message).
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A reply: when it reached the person (sent on their channel, or shown when they wrote).
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delete_after: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)

    thread: Mapped[IroThread] = relationship(back_populates="messages")
    staff_user: Mapped[StaffUser | None] = relationship()


class ReviewLetter(Base):
    """That the IRO sent a letter after a review, and how soon: one row per letter sent (the
    child's, or the version for the parents or the carers), however many people it went to.
    No words (those are sealed in each person's thread), so it counts for reports as long as
    the review is kept: "letters sent within 20 working days of the review"."""

    __tablename__ = "review_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    role: Mapped[ConsultationRole] = mapped_column(_enum(ConsultationRole))  # written for
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The review's date when the letter was sent, and the working days from it to the letter
    # (Monday to Friday, in the council's own days), kept as they were then.
    review_date: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    working_days_after: Mapped[int] = mapped_column(Integer)
    recipients: Mapped[int] = mapped_column(Integer)

    review: Mapped[Review] = relationship()
