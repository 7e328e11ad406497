"""What is missing or wrong in the data: the figures behind /quality and the digest section.

Each finding is a count and the first few examples (oldest first, so a finding that keeps
coming back shows the same examples until they are fixed). Phones are re-validated here
because rows loaded before normalisation existed (or written by other tools straight into the
database) never went through ``storage.quality.normalize``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, func, or_, select

from storage.models import Contact, ContactPoint, Customer, Deal, RawValue, Stage
from storage.quality import dupes
from storage.quality.normalize import is_valid_e164

EXAMPLES = 3
FINDINGS = (
    "no_contact",
    "invalid_phone",
    "kept_raw",
    "deal_no_customer",
    "deal_no_amount",
    "duplicates",
    "homonyms",
)


@dataclass
class Finding:
    code: str  # one of FINDINGS
    count: int
    examples: list[tuple[str, int, str]] = field(default_factory=list)  # (kind, id, label)


def _open_stages(session: Session) -> list[int]:
    rows = session.exec(select(Stage.id).where(~col(Stage.is_won), ~col(Stage.is_lost)))
    return [r for r in rows if r is not None]


def _active() -> object:
    return col(Customer.merged_into_id).is_(None)


def no_contact(session: Session, limit: int = EXAMPLES) -> Finding:
    with_point = select(ContactPoint.customer_id)
    where = (
        _active(),
        col(Customer.phone).is_(None),
        col(Customer.email).is_(None),
        col(Customer.id).not_in(with_point),
    )
    total = session.exec(select(func.count()).select_from(Customer).where(*where)).one()
    rows = session.exec(
        select(Customer.id, Customer.name).where(*where).order_by(col(Customer.id)).limit(limit)
    )
    return Finding("no_contact", total, [("customer", i or 0, n) for i, n in rows])


def invalid_phones(session: Session, limit: int = EXAMPLES) -> Finding:
    """Stored phones that libphonenumber does not accept, on customers, points and contacts."""
    bad: list[tuple[int, str, str]] = []
    sources = (
        select(Customer.id, Customer.name, Customer.phone).where(
            _active(), col(Customer.phone).is_not(None)
        ),
        select(Customer.id, Customer.name, ContactPoint.value)
        .join(ContactPoint, col(ContactPoint.customer_id) == col(Customer.id))
        .where(_active(), ContactPoint.kind == "phone"),
        select(Customer.id, Customer.name, Contact.phone)
        .join(Contact, col(Contact.customer_id) == col(Customer.id))
        .where(_active(), col(Contact.phone).is_not(None)),
    )
    for query in sources:
        for cid, name, phone in session.exec(query):
            if not is_valid_e164(phone):
                bad.append((cid or 0, name, phone))
    bad.sort()
    examples = [("customer", cid, f"{name}: {phone}") for cid, name, phone in bad[:limit]]
    return Finding("invalid_phone", len(bad), examples)


def kept_raw(session: Session, limit: int = EXAMPLES) -> Finding:
    """Values an import kept as typed because they failed the entry standards; a customer
    merged away no longer counts (its values went with its history to the kept record)."""
    live = or_(
        col(RawValue.customer_id).is_(None),
        col(RawValue.customer_id).in_(select(Customer.id).where(_active())),
    )
    total = session.exec(select(func.count()).select_from(RawValue).where(live)).one()
    rows = session.exec(
        select(RawValue, Customer.name)
        .outerjoin(Customer, col(Customer.id) == col(RawValue.customer_id))
        .where(live)
        .order_by(col(RawValue.id))
        .limit(limit)
    )
    examples = []
    for raw, name in rows:
        kind, item_id = ("customer", raw.customer_id) if raw.customer_id else (raw.entity, 0)
        label = f'{name or raw.entity}: {raw.field} "{raw.raw[:60]}"'
        examples.append((kind, item_id or raw.entity_id, label))
    return Finding("kept_raw", total, examples)


def _open_deals(session: Session, code: str, condition: object, limit: int) -> Finding:
    where = (col(Deal.stage_id).in_(_open_stages(session)), condition)
    total = session.exec(select(func.count()).select_from(Deal).where(*where)).one()
    rows = session.exec(
        select(Deal.id, Deal.title).where(*where).order_by(col(Deal.id)).limit(limit)
    )
    return Finding(code, total, [("deal", i or 0, t) for i, t in rows])


def deals_without_customer(session: Session, limit: int = EXAMPLES) -> Finding:
    return _open_deals(session, "deal_no_customer", col(Deal.customer_id).is_(None), limit)


def deals_without_amount(session: Session, limit: int = EXAMPLES) -> Finding:
    condition = or_(col(Deal.amount).is_(None), col(Deal.amount) == 0)
    return _open_deals(session, "deal_no_amount", condition, limit)


def duplicates(
    session: Session, limit: int = EXAMPLES, groups: list[dupes.Group] | None = None
) -> tuple[Finding, Finding]:
    """(likely duplicate groups, homonym pairs), each with the first few as examples."""
    if groups is None:
        groups = dupes.scan(dupes.load(session))
    likely = [g for g in groups if not g.homonym]
    namesakes = [g for g in groups if g.homonym]
    names = dict(
        session.exec(
            select(Customer.id, Customer.name).where(
                col(Customer.id).in_([i for g in (likely + namesakes)[:50] for i in g.ids])
            )
        ).all()
    )

    def example(group: dupes.Group) -> tuple[str, int, str]:
        label = " / ".join(f"{names.get(i, '?')} #{i}" for i in group.ids[:3])
        return ("group", group.ids[0], label)

    return (
        Finding("duplicates", len(likely), [example(g) for g in likely[:limit]]),
        Finding("homonyms", len(namesakes), [example(g) for g in namesakes[:limit]]),
    )


def report(session: Session, limit: int = EXAMPLES) -> list[Finding]:
    """Every finding, in the order of FINDINGS."""
    return [
        no_contact(session, limit),
        invalid_phones(session, limit),
        kept_raw(session, limit),
        deals_without_customer(session, limit),
        deals_without_amount(session, limit),
        *duplicates(session, limit),
    ]
