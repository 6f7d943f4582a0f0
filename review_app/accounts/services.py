"""Every change to an account happens here; the caller commits."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select

from ..audit.models import record
from ..db import db
from ..errors import DomainError, InvalidState, NotFound, PermissionDenied
from ..mail.services import absolute_url, queue_mail
from .models import AccountToken, LoginSession, OrganisationType, TokenPurpose, User
from .permissions import can_deactivate, can_reactivate, is_site_admin

_HASHERS = {
    # argon2id with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane): about 40 ms a login on one core.
    # The library's default (RFC 9106's second choice: 64 MiB, 3 passes, 4 lanes) took 150 ms on both cores of a
    # small server and 64 MiB per login at once, blocking a worker through every deadline-rush login
    "default": PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1),
    "strong": PasswordHasher(),  # RFC 9106's parameters, for a server with cores and memory to spare
    # still argon2id, but cheap: only for the test suite and benchmarks (config PASSWORD_HASHING = "fast")
    "fast": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
}
_DUMMY_HASHES: dict[str, str] = {}
# a login's last_seen_at is written at most this often, not on every request
LAST_SEEN_EVERY = timedelta(minutes=1)
PEOPLE_PER_PAGE = 50


def _hasher() -> PasswordHasher:
    return _HASHERS[current_app.config.get("PASSWORD_HASHING", "default")]


def _dummy_hash() -> str:
    """Verified against when the email is unknown, so that a login takes as long either way."""
    key = current_app.config.get("PASSWORD_HASHING", "default")
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = _HASHERS[key].hash("not-a-real-password")
    return _DUMMY_HASHES[key]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(user: User | None, password: str) -> bool:
    hasher = _hasher()
    try:
        ok = hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    if ok and user is not None and hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return ok and user is not None


def _issue_token(user: User, purpose: TokenPurpose, ttl: int, now: datetime) -> str:
    _drop_unused_tokens(user, purpose)  # a new link replaces the unused ones of the same purpose
    token, digest = new_token()
    db.session.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=digest,
                                created_at=now, expires_at=now + timedelta(seconds=ttl)))
    return token


def _find_token(token: str, purpose: TokenPurpose) -> AccountToken | None:
    return db.session.scalar(select(AccountToken).where(AccountToken.token_hash == hash_token(token),
                                                        AccountToken.purpose == purpose))


def _check_token(row: AccountToken | None, now: datetime) -> AccountToken:
    if row is None or row.used_at is not None:
        raise DomainError(_("This link is not valid or has already been used."), 400)
    if row.expires_at <= now:
        raise DomainError(_("This link has expired. Please ask for a new one."), 400)
    return row


def _use_token(token: str, purpose: TokenPurpose, now: datetime) -> AccountToken:
    row = _check_token(_find_token(token, purpose), now)
    row.used_at = now
    return row


def _drop_unused_tokens(user: User, purpose: TokenPurpose) -> None:
    db.session.execute(delete(AccountToken).where(AccountToken.user_id == user.id, AccountToken.purpose == purpose,
                                                  AccountToken.used_at.is_(None)))


def register(*, name: str, email: str, password: str, organisation: str,
             organisation_type: OrganisationType | str, city: str, language: str, privacy_consented: bool,
             now: datetime, hashed: str | None = None, next_page: str | None = None) -> User | None:
    """Create an account and queue the confirmation mail. Side effects: audit row, one mail.

    The person must have agreed to the privacy notice (`privacy_consented`); the account records when.

    If the address already has an account, nothing is created and its owner gets a mail saying so: the answer to
    the visitor is the same either way, so registration does not tell who has an account — in content and in time:
    the password is hashed on both paths (the costly step). Returns the new user, or None. `hashed` is a
    precomputed hash of `password` (the demo seeder hashes its shared password once).
    `next_page` (a safe local path, checked by the caller) is where the mailed links lead after confirming/login.
    """
    if not privacy_consented:
        raise DomainError(_("Please agree to the privacy notice: without it we cannot create your account."), 422)
    email = normalise_email(email)
    password_hash = hashed or hash_password(password)  # before the lookup: a taken address costs the same time
    existing = find_user_by_email(email)
    if existing is not None:
        queue_mail(template="account_exists", recipient=existing.email, language=existing.language, now=now,
                   user=existing, login_link=absolute_url("accounts.login", next=next_page),
                   reset_link=absolute_url("accounts.forgot_password"))
        record(actor=None, action="account.register_again", obj=existing, now=now)
        return None
    user = User(name=name.strip(), email=email, password_hash=password_hash,
                organisation=organisation.strip(), organisation_type=OrganisationType(organisation_type),
                city=city.strip(), language=language, created_at=now, privacy_consented_at=now)
    db.session.add(user)
    db.session.flush()
    send_confirmation(user, now=now, next_page=next_page)
    record(actor=user, action="account.register", obj=user, now=now)
    return user


def send_confirmation(user: User, *, now: datetime, next_page: str | None = None) -> None:
    """Mail a confirmation link; `next_page` (a safe local path) rides along as ?next= for after confirming."""
    token = _issue_token(user, TokenPurpose.confirm_email, current_app.config["EMAIL_CONFIRM_TTL"], now)
    user.confirmation_token = token  # only in memory, for a caller that plays the recipient (the demo)
    queue_mail(template="confirm_email", recipient=user.email, language=user.language, now=now, secret=True,
               user=user, link=absolute_url("accounts.confirm_email", token=token, next=next_page))


def confirm_email(token: str, *, now: datetime) -> User:
    """Confirm the address; following the same link again is harmless once the address is confirmed."""
    row = _find_token(token, TokenPurpose.confirm_email)
    if row is not None and row.used_at is not None and row.user.email_confirmed:
        return row.user
    row = _use_token(token, TokenPurpose.confirm_email, now)
    user = row.user
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now
        record(actor=user, action="account.confirm_email", obj=user, now=now)
    return user


def start_session(user: User, *, now: datetime, user_agent: str = "") -> str:
    """A new server-side login session; returns the token that the cookie will carry.
    The user's expired sessions are cleared on the way, so the table does not grow without end."""
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.expires_at <= now))
    token, digest = new_token()
    db.session.add(LoginSession(user_id=user.id, token_hash=digest, created_at=now,
                                expires_at=now + timedelta(seconds=current_app.config["LOGIN_SESSION_TTL"]),
                                user_agent=user_agent[:200], last_seen_at=now))
    user.current_session_token = token
    return token


def authenticate(email: str, password: str, *, now: datetime, user_agent: str = "") -> User:
    user = find_user_by_email(email)
    if not verify_password(user, password):
        raise DomainError(_("Email address or password is wrong."), 401)
    assert user is not None
    if user.deleted_at is not None:
        raise DomainError(_("Email address or password is wrong."), 401)
    if user.deactivated_at is not None:  # said only to whoever knows the password
        raise DomainError(_("This account has been deactivated by the site administration, so it cannot log in. "
                            "Please contact the organisers if you think this is a mistake."), 403)
    if not user.email_confirmed:
        raise DomainError(_("Please confirm your email address first: follow the link in the mail we sent you."),
                          403)
    start_session(user, now=now, user_agent=user_agent)
    record(actor=user, action="account.login", obj=user, now=now)
    return user


def record_failed_login(email: str, *, now: datetime) -> None:
    """An audit row `account.login_failed` with the address tried (normalised; never the password). The login view
    writes it after rolling back the refused login, so that the attempt stays."""
    from ..audit.models import AuditEntry

    user = find_user_by_email(email)
    db.session.add(AuditEntry(at=now, actor_id=None, event_id=None, action="account.login_failed",
                              object_type=User.__tablename__, object_id=user.id if user is not None else None,
                              details={"email": normalise_email(email)[:254]}))


def load_session_user(token: str, *, now: datetime) -> User | None:
    """The user of a live login session, or None (ended, expired, or the account switched off).
    Marks the session seen now if it was last seen a minute or more ago (the caller commits; see views)."""
    row = db.session.scalar(select(LoginSession).where(LoginSession.token_hash == hash_token(token)))
    if row is None or row.expires_at <= now:
        return None
    user = row.user
    if not user.is_active:
        return None
    if row.last_seen_at is None or now - row.last_seen_at >= LAST_SEEN_EVERY:
        row.last_seen_at = now
    user.current_session_token = token
    return user


def active_sessions(user: User, *, now: datetime) -> list[LoginSession]:
    """The user's unexpired logins, the most recently used first."""
    return list(db.session.scalars(
        select(LoginSession).where(LoginSession.user_id == user.id, LoginSession.expires_at > now)
        .order_by(func.coalesce(LoginSession.last_seen_at, LoginSession.created_at).desc(), LoginSession.id.desc())))


def is_current_session(user: User, row: LoginSession) -> bool:
    return bool(user.current_session_token) and row.token_hash == hash_token(user.current_session_token)


def end_other_session(user: User, session_id: int, *, now: datetime) -> None:
    """End one of the user's other logins: its row goes, so its cookie stops working at once. Audit row.
    Another person's session, or one that has ended already, does not exist here; this one is ended by logging out."""
    row = db.session.get(LoginSession, session_id)
    if row is None or row.user_id != user.id or row.expires_at <= now:
        raise NotFound(_("This login session does not exist or has already ended."))
    if is_current_session(user, row):
        raise InvalidState(_("This is the session you are using now: to end it, log out."))
    db.session.delete(row)
    db.session.flush()
    record(actor=user, action="account.end_session", obj=user, now=now, session_id=session_id)


def end_other_sessions(user: User, *, now: datetime) -> int:
    """End every login of the user but this one; returns how many ended. Audit row."""
    query = delete(LoginSession).where(LoginSession.user_id == user.id)
    if user.current_session_token:
        query = query.where(LoginSession.token_hash != hash_token(user.current_session_token))
    ended = db.session.execute(query).rowcount or 0
    record(actor=user, action="account.end_other_sessions", obj=user, now=now, ended=ended)
    return ended


def end_session(user: User) -> None:
    if user.current_session_token:
        digest = hash_token(user.current_session_token)
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == digest))
        user.current_session_token = None


def end_all_sessions(user: User) -> None:
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    user.current_session_token = None


def request_password_reset(email: str, *, now: datetime) -> None:
    """Queue a reset mail if the account exists; the answer to the user is the same either way."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:  # a deactivated account gets no way back in by mail
        return
    token = _issue_token(user, TokenPurpose.reset_password, current_app.config["PASSWORD_RESET_TTL"], now)
    queue_mail(template="reset_password", recipient=user.email, language=user.language, now=now, secret=True,
               user=user, link=absolute_url("accounts.reset_password", token=token))
    record(actor=None, action="account.request_password_reset", obj=user, now=now)


def check_reset_token(token: str, *, now: datetime) -> None:
    row = _check_token(_find_token(token, TokenPurpose.reset_password), now)
    if not row.user.is_active:
        raise DomainError(_("This link is not valid or has already been used."), 400)


def reset_password(token: str, new_password: str, *, now: datetime) -> User:
    """Set a new password from a mailed token; ends every login session. Confirms the email too."""
    check_reset_token(token, now=now)
    row = _use_token(token, TokenPurpose.reset_password, now)
    user = row.user
    user.password_hash = hash_password(new_password)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now  # the mail reached its owner
    end_all_sessions(user)
    queue_mail(template="password_changed", recipient=user.email, language=user.language, now=now, user=user)
    record(actor=user, action="account.reset_password", obj=user, now=now)
    return user


def change_password(user: User, current: str, new_password: str, *, now: datetime, user_agent: str = "") -> str:
    """Change the password; every other login ends, this one continues with a fresh session id."""
    if not verify_password(user, current):
        raise DomainError(_("The current password is wrong."), 403)
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    _drop_unused_tokens(user, TokenPurpose.reset_password)  # an older reset link must not undo this change
    token = start_session(user, now=now, user_agent=user_agent)
    queue_mail(template="password_changed", recipient=user.email, language=user.language, now=now, user=user)
    record(actor=user, action="account.change_password", obj=user, now=now)
    return token


def update_profile(user: User, *, name: str, organisation: str, organisation_type: str, city: str,
                   bio: str, language: str, now: datetime) -> None:
    user.name = name.strip()
    user.organisation = organisation.strip()
    user.organisation_type = OrganisationType(organisation_type)
    user.city = city.strip()
    user.bio = bio.strip()
    user.language = language
    record(actor=user, action="account.update_profile", obj=user, now=now)


def create_admin(*, email: str, name: str, password: str, now: datetime, hashed: str | None = None) -> User:
    """A new, confirmed site administrator; an address that has an account is refused (see promote_admin)."""
    if find_user_by_email(email) is not None:
        raise DomainError(_("An account with this email address already exists."), 409)
    user = User(name=name, email=normalise_email(email), password_hash=hashed or hash_password(password),
                organisation="", organisation_type=OrganisationType.other, city="", language="de", created_at=now)
    db.session.add(user)
    return _make_admin(user, now)


def promote_admin(*, email: str, now: datetime) -> User:
    """Make an existing account a site administrator; its password stays as it is."""
    user = find_user_by_email(email)
    if user is None:
        raise DomainError(_("No account uses this email address."), 404)
    return _make_admin(user, now)


def _make_admin(user: User, now: datetime) -> User:
    user.is_admin = True
    user.email_confirmed_at = user.email_confirmed_at or now
    record(actor=None, action="account.make_admin", obj=user, now=now)
    return user



def find_people(query: str = "", *, page: int = 1) -> tuple[list[User], int]:
    """Accounts whose name or address contains `query` (any case), a page of them by name; and how many match."""
    query = query.strip()[:100]
    where = []
    if query:
        # PostgreSQL refuses NUL in text; no name or address holds one, so nothing matches
        if "\x00" in query:
            return [], 0
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(or_(User.name.ilike(pattern, escape="\\"), User.email.ilike(pattern, escape="\\")))
    total = db.session.scalar(select(func.count()).select_from(User).where(*where)) or 0
    people = list(db.session.scalars(select(User).where(*where).order_by(func.lower(User.name), User.id)
                                     .offset((max(page, 1) - 1) * PEOPLE_PER_PAGE).limit(PEOPLE_PER_PAGE)))
    return people, total


def deactivate_user(user: User, *, actor: User, now: datetime) -> None:
    """The site admin switches an account off. Side effects: `deactivated_at` set; every login session of the
    account deleted (each of its logins ends at its next request); its unused mailed links dropped; audit row.
    A later login is refused, and a password reset sends nothing. An admin cannot switch off their own account."""
    if not is_site_admin(actor):
        raise PermissionDenied(_("Only the site administration can deactivate accounts."))
    if user.id == actor.id:
        raise PermissionDenied(_("You cannot deactivate your own account."))
    if not can_deactivate(actor, user):
        raise InvalidState(_("This account is already deactivated or deleted."))
    user.deactivated_at = now
    end_all_sessions(user)
    for purpose in TokenPurpose:
        _drop_unused_tokens(user, purpose)
    record(actor=actor, action="user.deactivate", obj=user, now=now)


def reactivate_user(user: User, *, actor: User, now: datetime) -> None:
    """The site admin switches a deactivated account on again: it can log in (with its password) again. Audit row."""
    if not is_site_admin(actor):
        raise PermissionDenied(_("Only the site administration can reactivate accounts."))
    if not can_reactivate(actor, user):
        raise InvalidState(_("This account is not deactivated."))
    user.deactivated_at = None
    record(actor=actor, action="user.reactivate", obj=user, now=now)
