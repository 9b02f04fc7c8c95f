"""The IRO's messages from children, parents and carers: the inbox, one thread, a reply.

Only the child's current IRO reads a thread or replies (``access.find_thread``; anyone else
gets the 404 page, and the attempt is audited); a manager's inbox is their team's counts, no
words. Every reading of a thread's words is audited. A reply is sealed and saved first; on a
channel that can message the person first (Telegram) it is then sent at once, in the
person's turn; otherwise, or if sending fails, it waits and the chat shows it the next time
they write or open the web chat.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from starlette.responses import RedirectResponse, Response

from bot.iro_messages.replies import SavedReply, save_reply
from bot.staff.access import find_thread, report_iros
from bot.staff.threads import inbox, thread_line, thread_messages, unanswered_by_iro
from bot.staff.web import AfterCommit, StaffRequest, staff_page
from db.models import IroThread, StaffRole
from db.time import utcnow

if TYPE_CHECKING:
    from bot.pipeline import Assistant

# The longest reply, in characters: a few short paragraphs, and well inside one chat message
# on every channel (Telegram splits at 4,096).
REPLY_LIMIT = 2000
SENT_NOTES = {"now", "later"}


@staff_page(StaffRole.IRO, StaffRole.MANAGER)
def inbox_page(ctx: StaffRequest) -> Response:
    now = utcnow()
    if ctx.staff.role == StaffRole.MANAGER:
        counts = unanswered_by_iro(ctx.db, ctx.staff, now)
        ctx.audit("view_message_counts")
        return ctx.render("staff/messages.html", {
            "title": "Messages to your team's IROs",
            "team": [(iro.display_name, counts.get(iro.id)) for iro in
                     report_iros(ctx.db, ctx.staff)],
        })
    ctx.audit("view_messages")
    return ctx.render("staff/messages.html", {
        "title": "Your messages",
        "threads": inbox(ctx.db, ctx.services.keys, ctx.staff, now),
    })


def _thread_id(ctx: StaffRequest) -> int:
    return int(ctx.request.path_params["thread_id"])


def _thread_page(ctx: StaffRequest, thread: IroThread, *, sent: str | None = None,
                 problem: str | None = None, draft: str = "", status: int = 200) -> Response:
    """The thread's words, decrypted: every showing is audited."""
    keys = ctx.services.keys
    line = thread_line(ctx.db, keys, ctx.staff, thread, utcnow())
    ctx.audit("view_thread", "iro_thread", thread.id)
    return ctx.render("staff/thread.html", {
        "title": f"Messages from {line.writer}",
        "thread": thread,
        "line": line,
        "messages": thread_messages(keys, thread, line.writer),
        "sent": sent if sent in SENT_NOTES else None,
        "problem": problem,
        "draft": draft,
        "limit": REPLY_LIMIT,
    }, status)


@staff_page(StaffRole.IRO, StaffRole.MANAGER)
def thread_page(ctx: StaffRequest) -> Response:
    thread = find_thread(ctx.db, ctx.staff, _thread_id(ctx))
    if thread is None:
        return ctx.not_found("view_thread", "iro_thread", _thread_id(ctx))
    return _thread_page(ctx, thread, sent=ctx.request.query_params.get("sent"))


def reply_problem(text: str) -> str | None:
    """What is wrong with a reply, in words for the IRO; None if it can be sent."""
    if not text:
        return "Write your reply before sending it."
    if len(text) > REPLY_LIMIT:
        return (f"Your reply is {len(text):,} characters long. Replies can be up to "
                f"{REPLY_LIMIT:,} characters: please make it shorter.")
    return None


@staff_page(StaffRole.IRO, StaffRole.MANAGER)
def reply(ctx: StaffRequest) -> Response | AfterCommit:
    thread = find_thread(ctx.db, ctx.staff, _thread_id(ctx))
    if thread is None:
        return ctx.not_found("reply_thread", "iro_thread", _thread_id(ctx))
    text = ctx.form.get("reply", "").strip()
    problem = reply_problem(text)
    if problem is not None:
        ctx.audit("reply_thread", "iro_thread", thread.id, outcome="refused")
        return _thread_page(ctx, thread, problem=problem, draft=text, status=400)
    saved = save_reply(ctx.db, ctx.services.keys, thread, staff_user_id=ctx.staff.id, text=text)
    ctx.audit("reply_thread", "iro_thread", thread.id)
    assistant = ctx.services.assistant
    if saved.address is None or assistant is None:
        return _shown(thread.id, sent=False)
    return AfterCommit(partial(_send_now, assistant, saved, ctx.staff.display_name, text,
                               thread.id))


async def _send_now(assistant: Assistant, saved: SavedReply, iro_name: str, text: str,
                    thread_id: int) -> Response:
    """Once the reply is committed: send it on the person's channel, then show the thread
    saying whether it reached them or waits for their next message."""
    return _shown(thread_id, sent=await assistant.send_reply_from_iro(saved, iro_name, text))


def _shown(thread_id: int, *, sent: bool) -> Response:
    return RedirectResponse(f"/iro/messages/{thread_id}?sent={'now' if sent else 'later'}",
                            status_code=303)
