"""One-time invite codes that bind a chat account to a rep."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, select

from storage.models import InviteCode, Rep

VALID_FOR = timedelta(days=7)


def create(session: Session, rep: Rep, created_by: Rep, now: datetime) -> InviteCode:
    invite = InviteCode(
        code=secrets.token_urlsafe(18),
        rep_id=rep.id or 0,
        created_by_id=created_by.id,
        created_at=now,
        expires_at=now + VALID_FOR,
    )
    session.add(invite)
    session.flush()
    return invite


def get(session: Session, code: str) -> InviteCode | None:
    return session.exec(select(InviteCode).where(InviteCode.code == code)).first()


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
