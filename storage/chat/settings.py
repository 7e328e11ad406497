"""Per-chat settings: whether an admin marked a group or channel internal."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from storage.models import ChatSetting


def is_internal(session: Session, platform: str, chat_id: str) -> bool:
    query = select(ChatSetting.internal).where(
        ChatSetting.platform == platform, ChatSetting.chat_id == chat_id
    )
    return bool(session.exec(query).first())


def set_internal(
    session: Session, platform: str, chat_id: str, internal: bool, rep_id: int, now: datetime
) -> None:
    row = session.exec(
        select(ChatSetting).where(ChatSetting.platform == platform, ChatSetting.chat_id == chat_id)
    ).first()
    row = row or ChatSetting(platform=platform, chat_id=chat_id)
    row.internal, row.set_by_id, row.at = internal, rep_id, now
    session.add(row)
    session.flush()
