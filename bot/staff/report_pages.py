"""The report page (/iro/reports), its CSV download and its chart as an SVG file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from starlette.responses import Response

from bot.services.csv_text import csv_text
from bot.staff.access import report_iros
from bot.staff.charts import Bar, bar_chart
from bot.staff.reports import Period, Rates, children_texts, report_rows, themes
from bot.staff.web import StaffRequest, staff_page
from db.models import StaffRole
from db.time import utcnow

CSV_COLUMNS = [
    "iro", "period_from", "period_to", "reviews_held", "children_consulted",
    "children_consulted_pct", "parents_consulted", "parents_consulted_pct",
    "carers_consulted", "carers_consulted_pct",
    "advocate_requested", "advocate_requested_pct", "want_to_chair", "want_to_chair_pct",
    "alerts", "alerts_acknowledged", "median_hours_to_acknowledge",
    "messages_received", "median_hours_to_first_reply", "messages_overdue_now",
    "letters_due", "letters_within_20_working_days", "letters_within_20_working_days_pct",
]


# The dates a report can cover: any date in a URL is checked against these before any sum.
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


@dataclass(frozen=True)
class Choice:
    """What the report form asked for, checked."""

    start: date
    end: date
    iro: str  # "all" or an IRO's id
    problem: str | None = None

    @property
    def period(self) -> Period:
        return Period(
            datetime.combine(self.start, time.min, timezone.utc),
            datetime.combine(self.end + timedelta(days=1), time.min, timezone.utc),
        )


def _choice(ctx: StaffRequest) -> Choice:
    params = ctx.request.query_params
    today = utcnow().date()
    default_start = today - timedelta(days=365)  # the last 12 months
    try:
        start = date.fromisoformat(params.get("from") or default_start.isoformat())
        end = date.fromisoformat(params.get("to") or today.isoformat())
    except ValueError:
        return Choice(default_start, today, "all", "Dates must look like 2026-04-01.")
    if not (EARLIEST <= start <= LATEST and EARLIEST <= end <= LATEST):
        return Choice(default_start, today, "all",
                      f"Dates must be from {EARLIEST:%Y} to {LATEST:%Y}.")
    if end < start:
        return Choice(default_start, today, "all", "The end date is before the start date.")
    return Choice(start, end, params.get("iro", "all"))


def _figures(ctx: StaffRequest, choice: Choice) -> tuple[list[Rates], Rates, list]:
    iros = report_iros(ctx.db, ctx.staff)
    if choice.iro != "all":
        iros = [i for i in iros if str(i.id) == choice.iro]
    team = ctx.staff.team.name if ctx.staff.team else "Total"
    label = team if ctx.staff.role == StaffRole.MANAGER and choice.iro == "all" else "Total"
    rows, total = report_rows(
        ctx.db, [(i.id, i.display_name) for i in iros], choice.period, utcnow(), label
    )
    return rows, total, iros


def chart_for(total: Rates) -> list[Bar]:
    return [
        Bar("Children consulted before their review", total.children_pct,
            f"{total.children_consulted} of {total.reviews_held}"),
        Bar("Parents consulted before the review", total.parents_pct,
            f"{total.parents_consulted} of {total.reviews_held}"),
        Bar("Carers consulted before the review", total.carers_pct,
            f"{total.carers_consulted} of {total.reviews_held}"),
        Bar("Consulted children who asked for an advocate", total.advocate_pct,
            f"{total.advocate_requested} of {total.children_consulted}"),
        Bar("Consulted children who want to chair or co-chair", total.chair_pct,
            f"{total.want_to_chair} of {total.children_consulted}"),
    ]


def _chart_title(choice: Choice, total: Rates) -> str:
    return (f"Consultation before reviews, {total.label}, {choice.start:%-d %b %Y} to "
            f"{choice.end:%-d %b %Y} ({total.reviews_held} reviews held)")


@staff_page(StaffRole.IRO, StaffRole.MANAGER)
def report_page(ctx: StaffRequest) -> Response:
    choice = _choice(ctx)
    rows, total, iros = _figures(ctx, choice)
    services = ctx.services
    texts = children_texts(ctx.db, services.keys, services.settings.content_dir,
                           [i.id for i in iros], choice.period, utcnow())
    ctx.audit("view_report")
    return ctx.render("staff/reports.html", {
        "title": "Consultation report",
        "choice": choice,
        "rows": rows,
        "total": total,
        "all_iros": report_iros(ctx.db, ctx.staff),
        "chart": bar_chart(_chart_title(choice, total), chart_for(total)),
        "themes": themes(texts),
        "children_with_text": len(texts),
        "query": ctx.request.url.query,
    }, 400 if choice.problem else 200)


@staff_page(StaffRole.IRO, StaffRole.MANAGER)
def report_csv(ctx: StaffRequest) -> Response:
    choice = _choice(ctx)
    if choice.problem:
        return Response(choice.problem, status_code=400, media_type="text/plain")
    rows, total, _ = _figures(ctx, choice)
    text = csv_text(CSV_COLUMNS, (_csv_row(row, choice) for row in [*rows, total]))
    ctx.audit("download_report_csv")
    return Response(text, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition":
            f'attachment; filename="consultation-report-{choice.start}-{choice.end}.csv"',
    })


@staff_page(StaffRole.IRO, StaffRole.MANAGER)
def report_chart(ctx: StaffRequest) -> Response:
    choice = _choice(ctx)
    if choice.problem:
        return Response(choice.problem, status_code=400, media_type="text/plain")
    _, total, _ = _figures(ctx, choice)
    ctx.audit("download_report_chart")
    svg = bar_chart(_chart_title(choice, total), chart_for(total))
    return Response(str(svg), media_type="image/svg+xml", headers={
        "Content-Disposition":
            f'attachment; filename="consultation-chart-{choice.start}-{choice.end}.svg"',
    })


def _blank_if_none(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _hours(value: timedelta | None) -> str:
    """Clock hours to one decimal place; blank when there is nothing to take a median of."""
    return "" if value is None else f"{value.total_seconds() / 3600:.1f}"


def _csv_row(row: Rates, choice: Choice) -> dict[str, object]:
    return {
        "iro": row.label, "period_from": choice.start.isoformat(),
        "period_to": choice.end.isoformat(), "reviews_held": row.reviews_held,
        "children_consulted": row.children_consulted,
        "children_consulted_pct": _blank_if_none(row.children_pct),
        "parents_consulted": row.parents_consulted,
        "parents_consulted_pct": _blank_if_none(row.parents_pct),
        "carers_consulted": row.carers_consulted,
        "carers_consulted_pct": _blank_if_none(row.carers_pct),
        "advocate_requested": row.advocate_requested,
        "advocate_requested_pct": _blank_if_none(row.advocate_pct),
        "want_to_chair": row.want_to_chair, "want_to_chair_pct": _blank_if_none(row.chair_pct),
        "alerts": row.alerts, "alerts_acknowledged": row.alerts_acknowledged,
        "median_hours_to_acknowledge": _hours(row.median_ack),
        "messages_received": row.messages.received,
        "median_hours_to_first_reply": _hours(row.messages.median_reply),
        "messages_overdue_now": row.messages.overdue_now,
        "letters_due": row.letters.letters_due,
        "letters_within_20_working_days": row.letters.sent_within,
        "letters_within_20_working_days_pct": _blank_if_none(row.letters.within_pct),
    }
