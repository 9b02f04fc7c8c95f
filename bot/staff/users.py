"""Staff accounts: created by `carebot user add` (the first admin) or by an admin's page.

Only an admin account created from the command line gets a password there (the first admin
must be able to sign in); every other account sets its own with a one-time link
(``bot.staff.accounts.issue_link``).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.passwords import MIN_PASSWORD_CHARS, hash_password
from db.models import IroTeam, LocalAuthority, StaffRole, StaffUser


class StaffUserError(ValueError):
    """The account cannot be created as asked (the message says why, plainly)."""


def team_named(
    session: Session, name: str, authority_code: str, authority_name: str
) -> IroTeam:
    """The team called ``name``, created (with its council) on first use."""
    team = session.scalar(select(IroTeam).where(IroTeam.name == name))
    if team is not None:
        return team
    authority = session.scalar(
        select(LocalAuthority).where(LocalAuthority.code == authority_code)
    )
    if authority is None:
        authority = LocalAuthority(code=authority_code, name=authority_name)
        session.add(authority)
    team = IroTeam(local_authority=authority, name=name)
    session.add(team)
    session.flush()
    return team


CONTENT_ROLES = frozenset({StaffRole.IRO, StaffRole.MANAGER, StaffRole.DUTY})


def add_staff_user(
    session: Session, *, username: str, display_name: str, role: StaffRole,
    password: str | None = None, team: IroTeam | None = None,
) -> StaffUser:
    """The new account; without ``password`` it waits for its owner to use a set-password link.
    Accounts that can read children's content never get a password from someone else."""
    username = username.strip()
    if not username or len(username) > 80 or any(c.isspace() for c in username):
        raise StaffUserError("A username is 1 to 80 characters with no spaces.")
    if not display_name.strip():
        raise StaffUserError("Give the person's name.")
    if password is not None and role in CONTENT_ROLES:
        raise StaffUserError("IRO, manager and duty accounts set their own password with a "
                             "one-time link; nobody else chooses it.")
    if password is not None and len(password) < MIN_PASSWORD_CHARS:
        raise StaffUserError(f"Passwords must be at least {MIN_PASSWORD_CHARS} characters.")
    if role in (StaffRole.IRO, StaffRole.MANAGER) and team is None:
        raise StaffUserError("IROs and IRO managers belong to a team: give one.")
    if session.scalar(select(StaffUser).where(StaffUser.username == username)) is not None:
        raise StaffUserError(f"There is already an account called {username}.")
    user = StaffUser(
        username=username, display_name=display_name.strip(), role=role,
        password_hash=None if password is None else hash_password(password), team=team,
    )
    session.add(user)
    session.flush()
    return user


def find_staff_user(session: Session, username: str) -> StaffUser:
    user = session.scalar(select(StaffUser).where(StaffUser.username == username.strip()))
    if user is None:
        raise StaffUserError(f"There is no account called {username.strip()[:80]}.")
    return user
