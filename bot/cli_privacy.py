"""``crm-bot privacy``: a person's requests under KVKK and GDPR, handled by the operator.

- ``export REF [--output FILE]`` writes everything held about a customer or a contact person
  as one JSON document, and the export goes into the access log;
- ``forget REF --yes`` erases their personal data everywhere (``storage.privacy``); without
  ``--yes`` it only says what it would erase. On SQLite the file is then vacuumed, so no old
  page keeps a copy.

``REF`` is ``customer#12``, ``contact#5``, or a customer's exact name.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from bot.errors import Refusal
from handlers.kit import Services, Translator
from storage import access_log, privacy, retention
from storage.db import Actor
from storage.folding import name_key
from storage.models import Customer


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("privacy", help="KVKK/GDPR: export or erase one person's data")
    what = p.add_subparsers(dest="privacy_command")
    export = what.add_parser("export", help="everything held about a person, as JSON")
    export.add_argument("ref", help="customer#12, contact#5 or a customer's exact name")
    export.add_argument("--output", "-o", metavar="FILE", help="default: standard output")
    forget = what.add_parser("forget", help="erase a person's personal data everywhere")
    forget.add_argument("ref")
    forget.add_argument("--yes", action="store_true", help="really erase (it cannot be undone)")
    keep = what.add_parser("retention", help="interactions of long-inactive customers")
    keep.add_argument("--years", type=float, help="default: CRM_RETENTION_YEARS")
    keep.add_argument("--before", metavar="YYYY-MM-DD", help="inactive since this day instead")
    keep.add_argument("--apply", action="store_true", help="purge them (default: only count)")


def run(args: argparse.Namespace, services: Services, t: Translator) -> int:
    if args.privacy_command == "export":
        return _export(args, services, t)
    if args.privacy_command == "forget":
        return _forget(args, services, t)
    if args.privacy_command == "retention":
        return _retention(args, services, t)
    raise Refusal("privacy.usage")


def _subject(session: Session, ref: str) -> tuple[str, int]:
    kind, sep, number = ref.partition("#")
    if sep and kind in ("customer", "contact") and number.isdigit():
        return kind, int(number)
    query = select(Customer.id).where(
        Customer.name_key == name_key(ref), col(Customer.merged_into_id).is_(None)
    )
    found = [cid for cid in session.exec(query) if cid is not None]
    if len(found) != 1:
        key = "privacy.ambiguous" if found else "privacy.not_found"
        raise Refusal(key, ref=ref, ids=", ".join(f"customer#{i}" for i in found))
    return "customer", found[0]


def _export(args: argparse.Namespace, services: Services, t: Translator) -> int:
    with services.db.session() as session:
        kind, subject_id = _subject(session, args.ref)
        collect = privacy.collect if kind == "customer" else privacy.collect_contact
        document = collect(session, subject_id)
    if document is None:
        raise Refusal("privacy.not_found", ref=args.ref, ids="")
    text = json.dumps(
        {
            "subject": f"{kind}#{subject_id}",
            "exported_at": services.clock().isoformat(),
            **document,
        },
        ensure_ascii=False,
        indent=2,
    )
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    with services.db.session(write=True) as session:
        access_log.record(
            session, rep_id=None, platform="cli", action="export", entity=kind,
            entity_id=subject_id, at=services.clock(), detail="privacy export",
        )  # fmt: skip
    return 0


def _forget(args: argparse.Namespace, services: Services, t: Translator) -> int:
    with services.db.session() as session:
        kind, subject_id = _subject(session, args.ref)
        document = (privacy.collect if kind == "customer" else privacy.collect_contact)(
            session, subject_id
        )
    if document is None:
        raise Refusal("privacy.not_found", ref=args.ref, ids="")
    if not args.yes:
        sizes = {k: len(v) for k, v in document.items() if isinstance(v, list)}
        print(t("privacy.would_forget", subject=f"{kind}#{subject_id}", sizes=_sizes(sizes)))
        return 2
    now = services.clock()
    actor = Actor(None, "cli", now)
    with services.db.session(write=True, actor=actor) as session:
        erase = privacy.forget if kind == "customer" else privacy.forget_contact
        counts = erase(session, subject_id, now)
    services.db.compact()  # no free page of the file keeps an old copy
    print(t("privacy.forgotten", subject=f"{kind}#{subject_id}", sizes=_sizes(counts)))
    return 0


def _retention(args: argparse.Namespace, services: Services, t: Translator) -> int:
    now = services.clock()
    years = args.years if args.years is not None else services.settings.crm_retention_years
    if args.before:
        try:
            cutoff = datetime.combine(date.fromisoformat(args.before), time(), UTC)
        except ValueError:
            raise Refusal("audit.bad_date", date=args.before) from None
    elif years and years > 0:
        cutoff = now - timedelta(days=round(365.25 * years))
    else:
        raise Refusal("privacy.no_retention")
    with services.db.session(write=args.apply, actor=Actor(None, "cli", now)) as session:
        found = retention.due(session, cutoff)
        if args.apply:
            retention.purge(session, found, now)
    if args.apply and found.customers:
        services.db.compact()
    key = "privacy.retention_purged" if args.apply else "privacy.retention_due"
    print(
        t(key, interactions=found.interactions, customers=len(found.customers), since=cutoff.date())
    )
    return 0


def _sizes(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n}" for name, n in counts.items() if n)
