"""Commands too long for a platform's button payload (Telegram: 64 bytes), behind a token.

The token is derived from the command, so the same button rendered twice stores one row.
"""

from __future__ import annotations

import hashlib

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models import ButtonCommand


def token_for(session: Session, command: str) -> str:
    token = hashlib.blake2b(command.encode(), digest_size=12).hexdigest()
    if session.exec(select(ButtonCommand.id).where(ButtonCommand.token == token)).first():
        return token
    try:
        with session.begin_nested():
            session.add(ButtonCommand(token=token, command=command))
    except IntegrityError:
        pass  # another process stored the same command meanwhile
    return token


def command_for(session: Session, token: str) -> str | None:
    query = select(ButtonCommand.command).where(ButtonCommand.token == token)
    return session.exec(query).first()
