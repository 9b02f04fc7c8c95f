"""An IRO's day: upcoming reviews, a review's views side by side, mark as read, invites,
print view, export for the case record, and search. Every lookup goes through ``access``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from starlette.responses import RedirectResponse, Response

from bot.consultation.export import review_views
from bot.consultation.invites import NewInvite, create_invite
from bot.iro_messages.letters import letter_summary
from bot.staff.access import find_review, review_rights, visible_reviews
from bot.staff.alerts import alert_rows
from bot.staff.case_record import export_review
from bot.staff.threads import inbox, unanswered_total
from bot.staff.web import AfterCommit, Handler, StaffRequest, staff_page
from db.models import Consultation, ConsultationRole, Review, StaffRole
from db.time import as_utc, utcnow

CHAIR_WISHES = {
    "chair": "wants to chair the review",
    "co_chair": "wants to chair the review together with the IRO",
    "not_this_time": "does not want to chair this time",
    "not_sure": "is not sure about chairing",
}
SEARCH_LIMIT = 50


@dataclass(frozen=True)
class ReviewLine:
    """One row of the upcoming-reviews list."""

    id: int
    date: datetime
    child: str
    case_reference: str
    iro: str
    child_consulted: bool
    parent_consulted: bool
    carer_consulted: bool
    advocate_requested: bool
    chair_wish: str | None
    unread: int


def review_line(ctx: StaffRequest, review: Review) -> ReviewLine:
    sent = ctx.db.scalars(
        select(Consultation).where(
            Consultation.review_id == review.id, Consultation.submitted_at.is_not(None)
        )
    ).all()
    children = [c for c in sent if c.role == ConsultationRole.CHILD]
    return ReviewLine(
        id=review.id,
        date=as_utc(review.scheduled_for),
        child=ctx.services.keys.decrypt(review.child.first_name_enc),
        case_reference=review.child.case_reference,
        iro=review.child.iro.display_name,
        child_consulted=bool(children),
        parent_consulted=any(c.role == ConsultationRole.PARENT for c in sent),
        carer_consulted=any(c.role == ConsultationRole.CARER for c in sent),
        advocate_requested=any(c.advocate_requested for c in children),
        chair_wish=next((c.chair_wish for c in children if c.chair_wish), None),
        unread=sum(1 for c in sent if c.read_at is None),
    )


@staff_page()
def home(ctx: StaffRequest) -> Response:
    if ctx.staff.role == StaffRole.DUTY:
        return RedirectResponse("/iro/alerts", status_code=303)
    if ctx.staff.role == StaffRole.ADMIN:
        return RedirectResponse("/iro/admin/users", status_code=303)
    since = utcnow() - timedelta(days=1)
    reviews = ctx.db.scalars(
        visible_reviews(ctx.staff).where(Review.scheduled_for >= since)
        .order_by(Review.scheduled_for)
    ).all()
    ctx.audit("view_reviews")
    return ctx.render("staff/home.html", {
        "title": "Upcoming reviews",
        "reviews": [review_line(ctx, r) for r in reviews],
        "alerts": alert_rows(ctx, only_open=True),
        "messages": unanswered_total(ctx.db, ctx.staff, utcnow()),
        "show_iro": ctx.staff.role == StaffRole.MANAGER,
        "chair_wishes": CHAIR_WISHES,
    })


def _review_id(ctx: StaffRequest) -> int:
    return int(ctx.request.path_params["review_id"])


def for_review(
    action: str, right: str | None = None
) -> Callable[[Callable[[StaffRequest, Review], Response | AfterCommit]], Handler]:
    """Give the handler the review in the URL, if ``access`` lets this member of staff see it
    (and has ``right`` on it); otherwise 404, with the attempt in the audit log."""

    def wrap(handler: Callable[[StaffRequest, Review], Response | AfterCommit]) -> Handler:
        def run(ctx: StaffRequest) -> Response | AfterCommit:
            review = find_review(ctx.db, ctx.staff, _review_id(ctx))
            if review is None or (
                right is not None and not getattr(review_rights(ctx.staff, review), right)
            ):
                return ctx.not_found(action, "review", _review_id(ctx))
            return handler(ctx, review)

        run.__name__ = handler.__name__
        return run

    return wrap


def _by_role(views: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The sent views per role, for the templates: ``child_views``, ``parent_views``,
    ``carer_views``."""
    return {
        f"{role.value}_views": [c for c in views["consultations"] if c["role"] == role.value]
        for role in ConsultationRole
    }


def _page(ctx: StaffRequest, review: Review, invite: NewInvite | None = None,
          invite_role: str | None = None, problem: str | None = None,
          status: int = 200) -> Response:
    services = ctx.services
    rights = review_rights(ctx.staff, review)
    views = review_views(ctx.db, services.keys, services.settings.content_dir, review.id,
                         include_placement=rights.placement)
    consultations = ctx.db.scalars(
        select(Consultation).where(
            Consultation.review_id == review.id, Consultation.submitted_at.is_not(None)
        )
    ).all()
    return ctx.render("staff/review.html", {
        "title": f"Review for {views['child']}",
        "review": review,
        "views": views,
        **_by_role(views),
        "unread": sum(1 for c in consultations if c.read_at is None),
        "rights": rights,
        "line": review_line(ctx, review),
        "chair_wishes": CHAIR_WISHES,
        "invite": invite,
        "invite_role": invite_role,
        "problem": problem,
        "upcoming": as_utc(review.scheduled_for) > utcnow(),
        "alerts": alert_rows(ctx, review_id=review.id),
        "threads": inbox(ctx.db, services.keys, ctx.staff, utcnow(), review_id=review.id),
        "letters": letter_summary(ctx.db, review.id) if rights.write_letter else [],
    }, status)


@staff_page(StaffRole.IRO, StaffRole.MANAGER)
@for_review("view_review")
def review_page(ctx: StaffRequest, review: Review) -> Response:
    ctx.audit("view_review", "review", review.id)
    return _page(ctx, review)


@staff_page(StaffRole.IRO, StaffRole.MANAGER)
@for_review("mark_read", "mark_read")
def mark_read(ctx: StaffRequest, review: Review) -> Response:
    ctx.db.execute(
        update(Consultation)
        .where(Consultation.review_id == review.id, Consultation.submitted_at.is_not(None),
               Consultation.read_at.is_(None))
        .values(read_at=utcnow())
    )
    ctx.audit("mark_read", "review", review.id)
    return RedirectResponse(f"/iro/reviews/{review.id}", status_code=303)


@staff_page(StaffRole.IRO, StaffRole.MANAGER)
@for_review("create_invite", "invite")
def invite(ctx: StaffRequest, review: Review) -> Response:
    role = ctx.form.get("role", "")
    if role not in {r.value for r in ConsultationRole}:
        return _page(ctx, review, problem="Choose a child, parent or carer invite.", status=400)
    settings = ctx.services.settings
    try:
        made = create_invite(
            ctx.db, ctx.services.keys, ctx.services.safety_screen(),
            review_id=review.id, role=ConsultationRole(role),
            web_base_url=settings.public_url, telegram_bot=settings.telegram_bot_username,
            created_by=ctx.staff,
        )
    except ValueError:
        return _page(ctx, review, problem="This review has already happened.", status=400)
    ctx.audit("create_invite", "review", review.id)
    return _page(ctx, review, invite=made, invite_role=role)


def _include_placement(ctx: StaffRequest, review: Review, ticked: str | None) -> bool:
    return ticked == "yes" and review_rights(ctx.staff, review).placement


@staff_page(StaffRole.IRO, StaffRole.MANAGER)
@for_review("print_review")
def print_view(ctx: StaffRequest, review: Review) -> Response:
    include = _include_placement(ctx, review, ctx.request.query_params.get("placement"))
    services = ctx.services
    views = review_views(ctx.db, services.keys, services.settings.content_dir, review.id,
                         include_placement=include)
    ctx.audit("print_review" + ("_with_placement" if include else ""), "review", review.id)
    return ctx.render("staff/print.html", {
        "title": f"Views for the review of {views['child']}",
        "views": views,
        **_by_role(views),
        "chair_wishes": CHAIR_WISHES,
        "include_placement": include,
        "review": review,
    })


@staff_page(StaffRole.IRO, StaffRole.MANAGER)
@for_review("export", "export")
def export(ctx: StaffRequest, review: Review) -> Response:
    fmt = ctx.form.get("format", "csv")
    if fmt not in {"csv", "json"}:
        return _page(ctx, review, problem="Choose CSV or JSON.", status=400)
    include = _include_placement(ctx, review, ctx.form.get("placement"))
    services = ctx.services
    text = export_review(
        ctx.db, services.keys, services.settings.content_dir, review.id, fmt,
        actor=ctx.actor, staff_user=ctx.staff, include_placement=include,
        include_messages=review_rights(ctx.staff, review).messages,
    )
    name = f"review-{review.id}-{review.child.case_reference}.{fmt}"
    media = "text/csv" if fmt == "csv" else "application/json"
    return Response(text, media_type=f"{media}; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
    })


@staff_page(StaffRole.IRO, StaffRole.MANAGER)
def search(ctx: StaffRequest) -> Response:
    """Find a review by the child's first name or case reference, among those one may see.

    Names are sealed in the database, so they are matched after decrypting the reviews this
    member of staff may see anyway. The search words are not written to the audit log.
    """
    query = ctx.request.query_params.get("q", "").strip()[:80]
    found: list[ReviewLine] = []
    if query:
        wanted = query.casefold()
        reviews = ctx.db.scalars(visible_reviews(ctx.staff).order_by(Review.scheduled_for))
        for review in reviews:
            line = review_line(ctx, review)
            if wanted in line.child.casefold() or wanted in line.case_reference.casefold():
                found.append(line)
            if len(found) >= SEARCH_LIMIT:
                break
        ctx.audit("search", outcome=f"{len(found)} found"[:20])
    return ctx.render("staff/search.html", {
        "title": "Find a review", "query": query, "results": found, "searched": bool(query),
        "show_iro": ctx.staff.role == StaffRole.MANAGER, "chair_wishes": CHAIR_WISHES,
    })

