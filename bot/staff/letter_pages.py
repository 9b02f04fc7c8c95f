"""The IRO's letter after a review, on the dashboard: one page for each version (the child's,
the parents', the carers'), a template with four headings, a check, and sending.

Only the child's current IRO opens these pages (``ReviewRights.write_letter``; anyone else
gets the 404 page, and the attempt is audited), and only once the review's date has come.
"Check the letter" holds it to carebot's own readability and jargon gates
(``bot/knowledge/readability.py``): a warning, never a block. "Send" sends a letter that passes
at once; one that does not is shown once more with what the check found and "Send the letter
as it is", so the IRO always sees the warning before it goes. A sent letter is saved in each
reader's thread (``bot/iro_messages/letters.py``), then, after the request's transaction, sent
at once on a channel that can message the person first; otherwise it waits for their next
message, as a reply does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING

from starlette.responses import RedirectResponse, Response

from bot.iro_messages.letters import (
    LETTER_LIMIT,
    SECTIONS,
    compose,
    headings,
    letter_threads,
    letters_sent,
    not_happy,
    readers,
    send_letter,
)
from bot.iro_messages.replies import SavedReply
from bot.knowledge.readability import (
    READING_AGE_OVER_GRADE,
    READING_GRADE_LIMIT,
    Readability,
    check,
    words_to_avoid,
)
from bot.staff.reviews import for_review
from bot.staff.web import AfterCommit, StaffRequest, staff_page
from db.models import ConsultationRole, Review, StaffRole
from db.time import as_utc, utcnow

if TYPE_CHECKING:
    from bot.pipeline import Assistant

# Whom each version is for, as the IRO reads it, and who in the chat it goes to.
FOR_WHOM = {"child": "{child}", "parent": "{child}'s parents", "carer": "{child}'s carer"}
LINKED_AS = {"child": "the child", "parent": "a parent", "carer": "a carer"}


def _role(ctx: StaffRequest) -> ConsultationRole | None:
    value = ctx.request.path_params["role"]
    return ConsultationRole(value) if value in FOR_WHOM else None


def readability(ctx: StaffRequest, parts: Mapping[str, str],
                role: ConsultationRole) -> Readability:
    """What carebot's gates find in what the IRO wrote (the headings are carebot's own): the
    reading grade for the child's letter, the words to avoid in every version."""
    avoid = words_to_avoid(ctx.services.settings.content_dir)
    return check("\n".join(parts[key] for key in SECTIONS), avoid,
                 young_reader=role == ConsultationRole.CHILD)


def digest(text: str) -> str:
    """Which words the IRO has seen checked: sending them needs no second look."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def letter_problems(ctx: StaffRequest, review: Review, role: ConsultationRole,
                    parts: Mapping[str, str], text: str) -> list[tuple[str, str]]:
    """Why the letter cannot be sent, as (field, words for the IRO); none if it can."""
    if as_utc(review.scheduled_for) > utcnow():
        return [("talked_about", "You can send this letter once the review has happened.")]
    if not readers(ctx.db, review.id, role):
        return [("talked_about", f"Nobody is linked to this review as {LINKED_AS[role.value]} "
                                 "in the chat, so there is nobody to send this letter to.")]
    titles = headings(ctx.services.content)
    problems = [(key, f"Write something under \u201c{titles[key]}\u201d.")
                for key in SECTIONS if not parts[key]]
    if len(text) > LETTER_LIMIT:
        problems.append(("talked_about", (
            f"Your letter is {len(text):,} characters long. Letters can be up to "
            f"{LETTER_LIMIT:,} characters: please make it shorter.")))
    return problems


def _page(ctx: StaffRequest, review: Review, role: ConsultationRole, parts: Mapping[str, str],
          *, found: Readability | None = None, checked: str = "", confirm: bool = False,
          problems: list[tuple[str, str]] | None = None, status: int = 200) -> Response:
    child = ctx.services.keys.decrypt(review.child.first_name_enc)
    for_whom = FOR_WHOM[role.value].format(child=child)
    query = ctx.request.query_params
    return ctx.render("staff/letter.html", {
        "title": f"Letter to {for_whom} after the review",
        "review": review,
        "child": child,
        "for_whom": for_whom,
        "role": role.value,
        "linked_as": LINKED_AS[role.value],
        "readers": len(readers(ctx.db, review.id, role)),
        "happened": as_utc(review.scheduled_for) <= utcnow(),
        "sections": [(key, heading, parts[key])
                     for key, heading in headings(ctx.services.content).items()],
        "found": found,
        "checked": checked,
        "confirm": confirm,
        "problems": problems or [],
        "errors": {field: message for field, message in reversed(problems or [])},
        "sent_now": _count(query.get("sent")),
        "waiting": _count(query.get("waiting")),
        "earlier": letters_sent(ctx.db, review.id, role),
        "threads": letter_threads(ctx.db, review.id, role),
        "grade_limit": READING_GRADE_LIMIT,
        "age_over_grade": READING_AGE_OVER_GRADE,
        "limit": LETTER_LIMIT,
    }, status)


def _count(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() and len(value) < 4 else None


@staff_page(StaffRole.IRO, StaffRole.MANAGER)
@for_review("open_letter", "write_letter")
def letter_page(ctx: StaffRequest, review: Review) -> Response:
    role = _role(ctx)
    if role is None:
        return ctx.not_found("open_letter", "review", review.id)
    ctx.audit("open_letter", "review", review.id)
    parts = {key: "" for key in SECTIONS}
    parts["not_happy"] = not_happy(ctx.services.content, role)
    return _page(ctx, review, role, parts)


@staff_page(StaffRole.IRO, StaffRole.MANAGER)
@for_review("send_letter", "write_letter")
def check_or_send(ctx: StaffRequest, review: Review) -> Response | AfterCommit:
    role = _role(ctx)
    if role is None:
        return ctx.not_found("send_letter", "review", review.id)
    parts = {key: ctx.form.get(key, "").strip() for key in SECTIONS}
    text = compose(ctx.services.content, parts)
    found = readability(ctx, parts, role)
    if ctx.form.get("action") != "send":
        return _page(ctx, review, role, parts, found=found, checked=digest(text))
    problems = letter_problems(ctx, review, role, parts, text)
    if problems:
        ctx.audit("send_letter", "review", review.id, outcome="refused")
        return _page(ctx, review, role, parts, found=found, checked=digest(text),
                     problems=problems, status=400)
    if not found.passes and ctx.form.get("checked") != digest(text):
        return _page(ctx, review, role, parts, found=found, checked=digest(text), confirm=True)
    saved = send_letter(ctx.db, ctx.services.keys, review, role, staff_user_id=ctx.staff.id,
                        text=text)
    ctx.audit("send_letter", "review", review.id)
    assistant = ctx.services.assistant
    if assistant is None or all(s.address is None for s in saved):
        return _shown(review.id, role, sent_now=0, waiting=len(saved))
    return AfterCommit(partial(_send_now, assistant, saved, ctx.staff.display_name, text,
                               review.id, role))


async def _send_now(assistant: Assistant, saved: list[SavedReply], iro_name: str, text: str,
                    review_id: int, role: ConsultationRole) -> Response:
    """Once the letter is committed: send it on each reader's channel that can message them
    first, then say how many it reached and how many wait for their next message."""
    sent_now = 0
    for letter in saved:
        sent_now += await assistant.send_reply_from_iro(letter, iro_name, text)
    return _shown(review_id, role, sent_now=sent_now, waiting=len(saved) - sent_now)


def _shown(review_id: int, role: ConsultationRole, *, sent_now: int, waiting: int) -> Response:
    return RedirectResponse(
        f"/iro/reviews/{review_id}/letter/{role.value}?sent={sent_now}&waiting={waiting}",
        status_code=303)
