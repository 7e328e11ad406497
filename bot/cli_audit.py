"""``crm-bot audit``: the trail of changes and the log of reads, for the operator; and
``crm-bot audit verify``, which links what is not linked yet and walks the hash chain.

Rows print as tab-separated lines: id, time (UTC), actor, platform, action, record, values.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.errors import Refusal
from handlers.kit import Services, Translator
from storage import audit_chain, reps
from storage.models import AccessLog, AuditEvent


def add_parsers(sub: Any) -> None:
    audit = sub.add_parser("audit", help="the audit trail and the access log")
    audit.add_argument("what", nargs="?", choices=("verify",), help="check the hash chain")
    audit.add_argument("--since", metavar="YYYY-MM-DD")
    audit.add_argument("--actor", metavar="REP", help="a rep's name")
    audit.add_argument("--record", metavar="ENTITY#ID", help="e.g. customer#12")
    audit.add_argument("--reads", action="store_true", help="the access log instead")
    audit.add_argument("--limit", type=int, default=200)


def run(args: argparse.Namespace, services: Services, t: Translator) -> int:
    if args.what == "verify":
        return _verify(services, t)
    with services.db.session() as session:
        lines = _lines(session, args)
    for line in lines:
        print(line)
    return 0


def _verify(services: Services, t: Translator) -> int:
    with services.db.session(write=True) as session:
        audit_chain.extend(session, limit=10**9)
    with services.db.session() as session:
        verdict = audit_chain.verify(session)
    if verdict.broken_at is not None:
        why = t(f"audit.why.{verdict.why}")
        print(t("audit.broken", id=verdict.broken_at, why=why, checked=verdict.checked))
        return 1
    print(t("audit.intact", checked=verdict.checked))
    return 0


def _lines(session: Session, args: argparse.Namespace) -> list[str]:
    model: Any = AccessLog if args.reads else AuditEvent
    query = select(model)
    if args.since:
        try:
            since = datetime.combine(date.fromisoformat(args.since), datetime.min.time(), UTC)
        except ValueError:
            raise Refusal("audit.bad_date", date=args.since) from None
        query = query.where(col(model.at) >= since)
    names = {r.id: r.name for r in reps.all_reps(session)}
    if args.actor:
        wanted = [rid for rid, name in names.items() if name == args.actor]
        if not wanted:
            raise Refusal("cli.no_such_rep", name=args.actor)
        column = model.rep_id if args.reads else model.actor_rep_id
        query = query.where(col(column).in_(wanted))
    if args.record:
        entity, _, number = args.record.partition("#")
        if not number.isdigit():
            raise Refusal("audit.bad_record", record=args.record)
        query = query.where(model.entity == entity, model.entity_id == int(number))
    rows = session.exec(query.order_by(col(model.id).desc()).limit(args.limit)).all()
    return [_line(row, names) for row in reversed(rows)]


def _line(row: Any, names: dict[int, str]) -> str:
    if isinstance(row, AccessLog):
        who = names.get(row.rep_id or 0, row.platform or "")
        values = row.detail or ""
    else:
        who = names.get(row.actor_rep_id or 0, row.platform or "")
        values = "[erased]" if row.erased else json.dumps(row.changes, ensure_ascii=False)
    record = f"{row.entity}#{row.entity_id}" if row.entity_id is not None else row.entity
    cells = (row.id, row.at.isoformat(timespec="seconds"), who, row.platform, row.action, record)
    return "\t".join(str(c or "") for c in (*cells, values))
