"""Guided-flow state: the half-typed command a chat is completing, kept in the database so a
restart (or another replica) carries on where the rep left off."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete
from sqlmodel import Session, select

from storage.models import ChatFlow
from storage.prebuilt import side_execute


def _key(platform: str, chat_id: str, user_id: str) -> Any:
    return select(ChatFlow).where(
        ChatFlow.platform == platform, ChatFlow.chat_id == chat_id, ChatFlow.user_id == user_id
    )


def active(
    session: Session, platform: str, chat_id: str, user_id: str, now: datetime
) -> ChatFlow | None:
    """The flow this user is in, in this chat; an expired one counts as none."""
    flow = session.exec(_key(platform, chat_id, user_id)).first()
    return flow if flow is not None and flow.expires_at > now else None


def save(
    session: Session,
    platform: str,
    chat_id: str,
    user_id: str,
    *,
    command: str,
    data: dict[str, Any],
    now: datetime,
    expires_at: datetime,
) -> ChatFlow:
    flow = session.exec(_key(platform, chat_id, user_id)).first()
    flow = flow or ChatFlow(platform=platform, chat_id=chat_id, user_id=user_id)
    return _put(session, flow, command=command, data=data, now=now, expires_at=expires_at)


def _put(
    session: Session,
    flow: ChatFlow,
    *,
    command: str,
    data: dict[str, Any],
    now: datetime,
    expires_at: datetime,
) -> ChatFlow:
    """``flow`` (the chat's row, or a new one) made this command's flow, stored."""
    flow.command, flow.step, flow.data = command, str(data.get("step", "")), data
    flow.updated_at, flow.expires_at = now, expires_at
    session.add(flow)
    session.flush()
    return flow


PICK = "pick"  # a flow that asks nothing: it only remembers the last numbered list


_T: Any = ChatFlow.__table__
_ENDED = (
    delete(_T)
    .where(
        _T.c.platform == bindparam("platform"),
        _T.c.chat_id == bindparam("chat_id"),
        _T.c.user_id == bindparam("user_id"),
    )
    .returning(_T.c.step)
)


def clear(session: Session, platform: str, chat_id: str, user_id: str) -> bool:
    """End the chat's flow; True when it was a question (a remembered list asks nothing).

    One ``DELETE … RETURNING`` where the database has it: every typed write command ends the
    chat's flow. Built once and run as Core (``storage.prebuilt``) when this session holds no
    flow; one it loaded is deleted through the ORM, so that the session forgets it too."""
    if not session.get_bind().dialect.delete_returning:  # an SQLite older than 3.35
        flow = session.exec(_key(platform, chat_id, user_id)).first()
        if flow is None:
            return False
        session.delete(flow)
        session.flush()
        return flow.step != PICK
    if any(isinstance(obj, ChatFlow) for obj in session.identity_map.values()):
        where = (ChatFlow.platform == platform, ChatFlow.chat_id == chat_id)
        gone = delete(ChatFlow).where(*where, ChatFlow.user_id == user_id)
        steps = session.execute(gone.returning(ChatFlow.step)).scalars().all()
    else:
        keys = {"platform": platform, "chat_id": chat_id, "user_id": user_id}
        steps = side_execute(session, _ENDED, keys).scalars()
    return any(step != PICK for step in steps)


def remember_location(session: Session, flow: ChatFlow, location: tuple[float, float]) -> None:
    _merge_data(session, flow, location=list(location))


def _merge_data(session: Session, flow: ChatFlow, **values: Any) -> None:
    """Add ``values`` to a flow's data, its question and the rest kept."""
    flow.data = {**flow.data, **values}
    session.add(flow)
    session.flush()


def offer_choices(
    session: Session,
    platform: str,
    chat_id: str,
    user_id: str,
    commands: list[str],
    *,
    now: datetime,
    expires_at: datetime,
) -> None:
    """Remember the commands of the last numbered list, so "2" picks the second.

    An open question keeps its own state and gains the list; otherwise a ``PICK`` flow holds it
    (in the row an expired flow leaves, if there is one): one read and one write.
    """
    flow = session.exec(_key(platform, chat_id, user_id)).first()
    if flow is not None and flow.expires_at > now:
        _merge_data(session, flow, choices=commands)
        return
    data = {"prefix": "", "suffix": "", "step": PICK, "choices": commands}
    flow = flow or ChatFlow(platform=platform, chat_id=chat_id, user_id=user_id)
    _put(session, flow, command=PICK, data=data, now=now, expires_at=expires_at)
