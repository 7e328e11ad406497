"""One-time invite codes that bind one platform's chat account to a rep.

Only the SHA-256 of a code is stored: the code itself exists in the invite message alone.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, select

from storage.models import InviteCode, Rep

DEEP_LINKED = "telegram"  # the platform of invites made before they named one


def digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def create(
    session: Session, rep: Rep, created_by: Rep, now: datetime, platform: str, valid: timedelta
) -> tuple[InviteCode, str]:
    """A new invite and its code (the only time the code is known)."""
    code = secrets.token_urlsafe(18)
    invite = InviteCode(
        code=digest(code),
        platform=platform,
        rep_id=rep.id or 0,
        created_by_id=created_by.id,
        created_at=now,
        expires_at=now + valid,
    )
    session.add(invite)
    session.flush()
    return invite, code


def get(session: Session, code: str) -> InviteCode | None:
    return session.exec(select(InviteCode).where(InviteCode.code == digest(code))).first()


def platform_of(invite: InviteCode) -> str:
    return invite.platform or DEEP_LINKED


def linked_on(rep: Rep, platform: str) -> bool:
    """Whether the rep already has a chat account on that platform."""
    if platform == "telegram":
        return rep.telegram_user_id is not None
    if platform == "slack":
        return rep.slack_user_id is not None
    return False


def platform_owner(session: Session, platform: str, user_id: str) -> Rep | None:
    if platform == "telegram" and user_id.lstrip("-").isdigit():
        return session.exec(select(Rep).where(Rep.telegram_user_id == int(user_id))).first()
    if platform == "slack":
        return session.exec(select(Rep).where(Rep.slack_user_id == user_id)).first()
    return None


def bind(
    session: Session, invite: InviteCode, rep: Rep, platform: str, user_id: str, now: datetime
) -> None:
    if platform == "telegram":
        rep.telegram_user_id = int(user_id)
    elif platform == "slack":
        rep.slack_user_id = user_id
    invite.used_at, invite.used_by = now, f"{platform}:{user_id}"
    session.add(rep)
    session.add(invite)
    session.flush()
