"""The ``carebot`` command: train, serve, seed-demo, invite, export, user, integration, new-key,
migrate, purge."""

from __future__ import annotations

import argparse
import os
import sys

from bot.config import ConfigError, Settings
from bot.logging_setup import (
    configure_logging,
    quiet_ml_environment,
    quiet_third_party_warnings,
)

MAX_RECORD_ID = 2**63 - 1  # the largest id a database row can have


def record_id(text: str) -> int:
    """A review id as the database can hold it: a clear error, not a traceback, otherwise."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 1 <= value <= MAX_RECORD_ID:
        raise argparse.ArgumentTypeError(f"{text} is not a review id (1 or more)")
    return value


def invite_days(text: str) -> int:
    """How long an invite code works: 1 to 365 days."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 1 <= value <= 365:
        raise argparse.ArgumentTypeError(f"{text} days: give 1 to 365")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="carebot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train the Rasa model if its data changed")
    train.add_argument("--force", action="store_true", help="train even if unchanged")

    serve = commands.add_parser("serve", help="run the web chat, REST API, Telegram and health")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)

    seed = commands.add_parser("seed-demo", help="add demo council, staff and children (demo only)")
    seed.add_argument("--json", action="store_true", help="print the demo data as JSON")

    invite = commands.add_parser(
        "invite",
        help="create an invite code for a child, parent or carer to give views for a review",
    )
    invite.add_argument("--review", type=record_id, required=True, help="the review id")
    invite.add_argument("--role", choices=["child", "parent", "carer"], required=True)
    invite.add_argument("--days", type=invite_days, default=21,
                        help="days the code works (1-365, default 21)")
    invite.add_argument(
        "--remind", action="store_true",
        help="the person agreed to one reminder if their answers are not sent 5 days before",
    )

    export = commands.add_parser(
        "export", help="write a review's sent views and messages to the IRO for the case record")
    export.add_argument("--review", type=record_id, required=True, help="the review id")
    export.add_argument("--format", choices=["json", "csv"], default="json")
    export.add_argument("--output", help="file to write (default: standard output)")

    user = commands.add_parser("user", help="staff accounts for the dashboard")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    user_add = user_commands.add_parser(
        "add", help="add a staff account: an admin's password is read from standard input or a "
        "prompt; other roles get a one-time link to set their own"
    )
    user_add.add_argument("--username", required=True)
    user_add.add_argument("--name", required=True, help="the person's name, shown to colleagues")
    user_add.add_argument("--role", choices=["admin", "iro", "manager", "duty"], required=True)
    user_add.add_argument("--team", help="the IRO team (needed for iro and manager)")
    for name, help_text in [
        ("disable", "disable an account: no sign-in, every session ended"),
        ("enable", "enable a disabled account again"),
        ("reset-password", "end the password and every session; print a one-time link"),
        ("sign-out", "end every session of an account"),
    ]:
        user_commands.add_parser(name, help=help_text).add_argument("--username", required=True)

    integration = commands.add_parser(
        "integration", help="tokens for trusted systems that use the REST endpoint")
    integration_commands = integration.add_subparsers(dest="integration_command", required=True)
    integration_add = integration_commands.add_parser(
        "add", help="make a token for an integration (printed once, on the last line)")
    integration_add.add_argument("name", help="lower-case letters, digits, '.', '_' or '-'")
    integration_commands.add_parser("list", help="integrations and whether each is revoked")
    integration_revoke = integration_commands.add_parser(
        "revoke", help="stop an integration's token working (at its next request)")
    integration_revoke.add_argument("name")

    commands.add_parser("new-key", help="print a new random data key for CAREBOT_DATA_KEY")
    commands.add_parser(
        "topics-domain",
        help="regenerate the topic intents, rules and examples from content/topics/"
    )
    content = commands.add_parser("content", help="check what carebot says")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    content_commands.add_parser(
        "report", help="answers due a check, sources cited once, figures each answer states"
    )
    commands.add_parser("migrate", help="apply database migrations")
    commands.add_parser("purge", help="delete every stored row whose delete-after date has passed")

    args = parser.parse_args(argv)
    quiet_third_party_warnings()
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"carebot: {exc}", file=sys.stderr)
        return 2
    quiet_ml_environment(str(settings.data_dir))
    configure_logging(settings.log_level)
    handler = {
        "train": _train, "serve": _serve, "seed-demo": _seed_demo,
        "new-key": _new_key, "migrate": _migrate, "topics-domain": _topics_domain,
        "purge": _purge, "invite": _invite, "export": _export, "user": _user,
        "content": _content_report, "integration": _integration,
    }[args.command]
    try:
        return handler(settings, args)
    except ConfigError as exc:
        print(f"carebot: {exc}", file=sys.stderr)
        return 2


def _train(settings: Settings, args: argparse.Namespace) -> int:
    from bot.training import train_if_needed

    print("Checking whether the Rasa model is up to date...", flush=True)
    model, trained = train_if_needed(settings.rasa_project_dir, settings.models_dir, args.force)
    print(f"{'Trained' if trained else 'Up to date, not retrained'}: {model}", flush=True)
    return 0


def _keys(settings: Settings):  # noqa: ANN202 - DataKeys, imported late
    from db.encryption import DataKeyError, load_data_keys

    try:
        keys, source = load_data_keys(dict(os.environ), settings.demo_mode, settings.data_dir)
    except DataKeyError as exc:
        raise ConfigError(str(exc)) from exc
    print(source, file=sys.stderr, flush=True)  # keeps --json and export output clean
    return keys


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from bot.web.app import create_app

    keys = _keys(settings)
    app = create_app(settings, keys)
    base = f"http://{args.host}:{args.port}"
    print(f"carebot is starting on {base} (the model takes about 30 s to load)", flush=True)
    print(f"  web chat:  {base}/chat", flush=True)
    print(f"  staff:     {base}/iro/login", flush=True)
    print(f"  REST API:  POST {base}/webhooks/rest/webhook (integrations with a token from "
          "`carebot integration add NAME`)", flush=True)
    print(f"  health:    {base}/health", flush=True)
    if settings.telegram_bot_token:
        mode = "webhook" if settings.telegram_webhook_url else "long polling"
        print(f"  Telegram:  on ({mode})", flush=True)
    # ws="none": uvicorn's websockets support needs a newer `websockets` than Rasa pins.
    uvicorn.run(
        app, host=args.host, port=args.port, log_level="warning", access_log=False, ws="none"
    )
    return 0


def _seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from bot.services.demo_data import seed_demo
    from db.migrate import upgrade_to_head

    if not settings.demo_mode:
        raise ConfigError("seed-demo only runs in demo mode (CAREBOT_DEMO=1).")
    keys = _keys(settings)
    upgrade_to_head(settings.database_url)
    demo = seed_demo(settings.database_url, keys)
    if args.json:
        print(json.dumps(demo, indent=2, default=str))
    else:
        print(f"Demo data ready for {demo['local_authority']['name']}.")
        print("Demo staff logins (demo only):")
        for user in demo["staff"]:
            print(f"  {user['role']:8} {user['username']:12} password: {user['password']}")
        for review in demo["reviews"]:
            print(f"  review {review['id']}: {review['child']} on {review['scheduled_for'][:10]}")
    return 0


def _invite(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import timedelta

    from bot.consultation.invites import create_invite
    from bot.knowledge.content import content_for
    from bot.safety.screen import SafetyScreen
    from db.engine import session_scope
    from db.migrate import upgrade_to_head
    from db.models import ConsultationRole

    if args.days < 1 or args.days > 60:
        print("carebot: --days must be between 1 and 60", file=sys.stderr)
        return 2
    keys = _keys(settings)
    upgrade_to_head(settings.database_url)
    content = content_for(settings.content_dir, settings.local_authority)
    screen = SafetyScreen(content.safeguarding_lexicon)
    try:
        with session_scope(settings.database_url) as session:
            made = create_invite(
                session, keys, screen, review_id=args.review, role=ConsultationRole(args.role),
                web_base_url=settings.public_url, telegram_bot=settings.telegram_bot_username,
                valid_for=timedelta(days=args.days), reminder_opt_in=args.remind,
            )
    except (LookupError, ValueError) as exc:
        print(f"carebot: {exc}", file=sys.stderr)
        return 1
    print(f"Invite for the {args.role} at review {args.review}, works once until "
          f"{made.expires_at:%-d %B %Y}.")
    print(f"Web chat link: {made.web_link}")
    if made.telegram_link:
        print(f"Telegram link (16+): {made.telegram_link}")
    print("The code is shown only now; carebot keeps a hash of it. Code:")
    print(made.code)
    return 0


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.staff.case_record import export_review
    from db.engine import session_scope
    from db.migrate import upgrade_to_head

    keys = _keys(settings)
    upgrade_to_head(settings.database_url)
    actor = f"cli:{os.environ.get('USER') or 'unknown'}"
    try:
        with session_scope(settings.database_url) as session:
            text = export_review(
                session, keys, settings.content_dir, args.review, args.format, actor=actor,
                include_messages=True,
            )
    except LookupError as exc:
        print(f"carebot: {exc}", file=sys.stderr)
        return 1
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"Wrote review {args.review}'s sent views and messages to {args.output}.",
              file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _read_password() -> str:
    """From a prompt (typed twice, not echoed) or, when piped, the first line of stdin.

    Never from the command line, where it would sit in the shell history and process list.
    """
    import getpass

    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password (12 characters or more): ")
    if getpass.getpass("The same password again: ") != first:
        raise ConfigError("The two passwords were different; nothing was saved.")
    return first


def _user(settings: Settings, args: argparse.Namespace) -> int:
    from bot.staff.users import StaffUserError
    from db.migrate import upgrade_to_head

    password = _read_password() if getattr(args, "role", None) == "admin" else None
    upgrade_to_head(settings.database_url)
    try:
        if args.user_command == "add":
            _user_add(settings, args, password)
        else:
            _user_manage(settings, args)
    except StaffUserError as exc:
        print(f"carebot: {exc}", file=sys.stderr)
        return 1
    return 0


def _cli_actor() -> str:
    return f"cli:{os.environ.get('USER') or 'unknown'}"


def _user_add(settings: Settings, args: argparse.Namespace, password: str | None) -> None:
    from bot.knowledge.content import content_for
    from bot.services.audit import record
    from bot.staff.accounts import LINK_LIFETIME, issue_link
    from bot.staff.users import add_staff_user, team_named
    from db.engine import session_scope
    from db.models import StaffRole

    with session_scope(settings.database_url) as session:
        team = None
        if args.team:
            authority = content_for(settings.content_dir, settings.local_authority).authority
            team = team_named(session, args.team, settings.local_authority,
                              str(authority.get("name", settings.local_authority)))
        made = add_staff_user(
            session, username=args.username, display_name=args.name,
            role=StaffRole(args.role), password=password, team=team,
        )
        record(session, actor=_cli_actor(), action="add_staff_user", target_type="staff_user",
               target_id=str(made.id))
        if password is not None:
            print(f"Added {made.role.value} account {made.username}. They sign in at "
                  f"{settings.public_url}/iro/login")
            return
        link = issue_link(session, made, settings.public_url)
        print(f"Added {made.role.value} account {made.username}. Give them this link to "
              f"choose their own password (works once, for "
              f"{int(LINK_LIFETIME.total_seconds() // 3600)} hours):")
        print(link)


def _user_manage(settings: Settings, args: argparse.Namespace) -> None:
    from bot.staff import accounts
    from bot.staff.users import find_staff_user
    from db.engine import session_scope

    actor = _cli_actor()
    with session_scope(settings.database_url) as session:
        user = find_staff_user(session, args.username)
        if args.user_command == "disable":
            accounts.disable(session, user, actor)
            print(f"Disabled {user.username}; every session of theirs has ended.")
        elif args.user_command == "enable":
            accounts.enable(session, user, actor)
            print(f"Enabled {user.username}.")
        elif args.user_command == "sign-out":
            ended = accounts.sign_out_all(session, user, actor)
            print(f"Signed {user.username} out everywhere ({ended} sessions ended).")
        else:
            link = accounts.force_reset(session, user, settings.public_url, actor)
            print(f"{user.username}'s password no longer works and every session has ended. "
                  "Give them this link to choose a new one (works once):")
            print(link)


def _integration(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.integrations import (
        IntegrationError,
        add_integration,
        list_integrations,
        revoke_integration,
    )
    from db.migrate import upgrade_to_head

    upgrade_to_head(settings.database_url)
    try:
        if args.integration_command == "add":
            token = add_integration(settings.database_url, _keys(settings), args.name)
            print(f"Integration {args.name} can now call POST {settings.public_url}"
                  "/webhooks/rest/webhook with the header 'Authorization: Bearer <token>'.")
            print("The token is shown only now; carebot keeps a keyed hash of it. Token:")
            print(token)
        elif args.integration_command == "revoke":
            revoke_integration(settings.database_url, args.name)
            print(f"Integration {args.name}'s token no longer works.")
        else:
            for made in list_integrations(settings.database_url):
                state = f"revoked {made.revoked_at:%Y-%m-%d %H:%M}" if made.revoked_at else "active"
                print(f"{made.name}\t{state}\ttoken made {made.created_at:%Y-%m-%d %H:%M}")
    except IntegrationError as exc:
        print(f"carebot: {exc}", file=sys.stderr)
        return 1
    return 0


def _new_key(settings: Settings, args: argparse.Namespace) -> int:
    from db.encryption import new_key_spec

    print(new_key_spec())
    return 0


def _topics_domain(settings: Settings, args: argparse.Namespace) -> int:
    from bot.knowledge.topics import TopicLibrary, faq_domain, faq_nlu, faq_rules

    library = TopicLibrary(settings.content_dir / "topics")
    project = settings.rasa_project_dir
    (project / "domain" / "faq.yml").write_text(faq_domain(library), encoding="utf-8")
    (project / "data" / "rules" / "faq.yml").write_text(faq_rules(library), encoding="utf-8")
    (project / "data" / "nlu" / "faq.yml").write_text(faq_nlu(library), encoding="utf-8")
    print(f"Wrote domain/faq.yml, data/rules/faq.yml and data/nlu/faq.yml "
          f"({len(library.topics)} topics).")
    return 0


def _content_report(settings: Settings, args: argparse.Namespace) -> int:
    import datetime as dt

    from bot.knowledge.report import build_report

    print(build_report(settings.content_dir, settings.local_authority, dt.date.today()))
    return 0


def _purge(settings: Settings, args: argparse.Namespace) -> int:
    from bot.privacy.purge import purge_expired
    from db.migrate import upgrade_to_head

    upgrade_to_head(settings.database_url)
    purged = purge_expired(settings.database_url)
    print(
        f"Purged {purged.conversation_events} conversation events, {purged.consultations} "
        f"consultations, {purged.alerts} alerts and {purged.chat_users} chat users past their "
        "delete-after date."
    )
    return 0


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    from db.migrate import upgrade_to_head

    upgrade_to_head(settings.database_url)
    print("Database is up to date.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
