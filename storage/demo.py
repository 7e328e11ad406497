"""A small demo dataset so a newcomer sees the bot work at once.

Turkish and English customers (including two different "Mehmet Yıldırım"s and a
"Mehmet Demirel" to show that namesakes are never guessed between), deals in every stage,
interactions, and tasks of which some are overdue. Dates are relative to ``now`` so the demo
always looks current. Only ever loaded into the embedded database, or when asked (--demo).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from storage import customers, deals
from storage.models import Customer, Deal, Interaction, Rep, Task

ADMIN = "Elif Şahin"

_REPS = (
    # name, role, language, timezone
    (ADMIN, "admin", None, None),
    ("Ayşe Yılmaz", "rep", "tr", None),
    ("Can Demir", "rep", "tr", None),
    ("John Carter", "rep", "en", "Europe/London"),
)
_CUSTOMERS = (
    # name, kind, city, phone, email, owner, tags
    (
        "Uğur Özmen",
        "person",
        "İstanbul",
        "+905321112233",
        "ugur.ozmen@example.com.tr",
        "Ayşe Yılmaz",
        ["vip"],
    ),
    ("Mehmet Yıldırım", "person", "Ankara", "+905332223344", None, "Can Demir", []),
    (
        "Mehmet Yıldırım",
        "person",
        "İzmir",
        "+905423334455",
        "m.yildirim@example.com",
        "Ayşe Yılmaz",
        [],
    ),
    ("Mehmet Demirel", "person", "Bursa", "+905554445566", None, "Can Demir", []),
    (
        "Anadolu Lojistik A.Ş.",
        "company",
        "İstanbul",
        "+902164445566",
        "info@anadolulojistik.example.com.tr",
        ADMIN,
        ["logistics", "key-account"],
    ),
    (
        "Ege Tekstil San. ve Tic. Ltd. Şti.",
        "company",
        "İzmir",
        "+902324567890",
        None,
        "Ayşe Yılmaz",
        ["textile"],
    ),
    (
        "Işık Yazılım Ltd. Şti.",
        "company",
        "Ankara",
        "+903124567890",
        "iletisim@isik.example.com",
        "Can Demir",
        ["software"],
    ),
    ("Çağrı Gıda A.Ş.", "company", "Konya", "+903325551122", None, ADMIN, ["food"]),
    ("Dr. Selin Aydın", "person", "İstanbul", "+905367778899", None, "Ayşe Yılmaz", ["clinic"]),
    (
        "Acme Corporation",
        "company",
        "New York",
        "+12125550100",
        "sales@acme.example",
        "John Carter",
        ["us"],
    ),
    ("Globex Inc.", "company", "Springfield", "+14135550199", None, "John Carter", ["us"]),
    (
        "Northwind Traders Ltd",
        "company",
        "London",
        "+442079460000",
        "buying@northwind.example",
        "John Carter",
        ["uk"],
    ),
    ("Initech LLC", "company", "Austin", "+15125550147", None, ADMIN, ["us"]),
)
_DEALS = (
    # customer, title, amount, currency, stage, owner, close in days, reason / closed amount
    (
        "Anadolu Lojistik A.Ş.",
        "Filo takip / fleet tracking",
        "250000",
        "TRY",
        "Proposal",
        ADMIN,
        20,
        None,
    ),
    (
        "Ege Tekstil San. ve Tic. Ltd. Şti.",
        "ERP lisansları",
        "1250000",
        "TRY",
        "Negotiation",
        "Ayşe Yılmaz",
        10,
        None,
    ),
    ("Işık Yazılım Ltd. Şti.", "Destek sözleşmesi", "90000", "TRY", "Lead", "Can Demir", 45, None),
    ("Çağrı Gıda A.Ş.", "Soğuk zincir sensörleri", "480000", "TRY", "Qualified", ADMIN, 30, None),
    ("Uğur Özmen", "Danışmanlık paketi", "60000", "TRY", "Qualified", "Ayşe Yılmaz", 15, None),
    ("Acme Corporation", "Annual renewal", "40000", "USD", "Won", "John Carter", -5, "42000"),
    ("Globex Inc.", "Pilot project", "15000", "EUR", "Lost", "John Carter", -12, "competitor"),
    (
        "Northwind Traders Ltd",
        "Warehouse scanners",
        "28000",
        "GBP",
        "Proposal",
        "John Carter",
        -20,
        None,
    ),
    ("Initech LLC", "Onboarding package", "12000", "USD", "Lead", ADMIN, 60, None),
)
_INTERACTIONS = (
    # customer, kind, summary, days ago, rep
    ("Uğur Özmen", "call", "Fiyat listesini konuştuk, teklif bekliyor", 2, "Ayşe Yılmaz"),
    ("Uğur Özmen", "visit", "Ofiste tanışma ziyareti", 9, "Ayşe Yılmaz"),
    ("Anadolu Lojistik A.Ş.", "meeting", "Filo yöneticisiyle demo yapıldı", 3, ADMIN),
    ("Anadolu Lojistik A.Ş.", "email", "Teknik şartname gönderildi", 6, ADMIN),
    ("Ege Tekstil San. ve Tic. Ltd. Şti.", "call", "İndirim talebi: %8", 1, "Ayşe Yılmaz"),
    ("Acme Corporation", "call", "Renewal signed, asked about API limits", 5, "John Carter"),
    ("Globex Inc.", "meeting", "They chose a competitor on price", 12, "John Carter"),
    ("Northwind Traders Ltd", "email", "Sent the revised quote", 25, "John Carter"),
    ("Çağrı Gıda A.Ş.", "visit", "Depo gezildi, 40 sensör ihtiyacı", 4, ADMIN),
)
_TASKS = (
    # title, customer, due in days (negative: overdue), assignee
    ("Send the contract", "Anadolu Lojistik A.Ş.", -1, ADMIN),
    ("Call back about the discount", "Ege Tekstil San. ve Tic. Ltd. Şti.", -3, "Ayşe Yılmaz"),
    ("Teklif gönder", "Uğur Özmen", 1, "Ayşe Yılmaz"),
    ("Follow up on the revised quote", "Northwind Traders Ltd", -8, "John Carter"),
    ("Sensör fiyatlarını netleştir", "Çağrı Gıda A.Ş.", 2, ADMIN),
    ("Prepare the onboarding plan", "Initech LLC", -2, ADMIN),
)


def is_seeded(session: Session) -> bool:
    return session.exec(select(Rep).where(Rep.name == ADMIN)).first() is not None


def seed(session: Session, now: datetime) -> None:
    """Load the demo data; a second call does nothing."""
    if is_seeded(session):
        return
    rep_ids: dict[str, int] = {}
    for name, role, language, tz in _REPS:
        rep = Rep(
            name=name, role=role, language=language, timezone=tz, manager_id=rep_ids.get(ADMIN)
        )
        session.add(rep)
        session.flush()
        rep_ids[name] = rep.id or 0
    cust_ids: dict[str, int] = {}
    for name, kind, city, phone, email, owner, tags in _CUSTOMERS:
        c = customers.create(
            session,
            Customer(
                name=name,
                kind=kind,
                city=city,
                phone=phone,
                email=email,
                owner_id=rep_ids[owner],
                tags=tags,
            ),
        )
        cust_ids.setdefault(name, c.id or 0)
    stage_by_name = {st.name: st for st in deals.stages(session)}
    for cust, title, amount, currency, stage_name, owner, close_days, extra in _DEALS:
        st = stage_by_name[stage_name]
        changed = now - timedelta(days=abs(close_days) if st.is_closed else 7)
        deal = Deal(
            customer_id=cust_ids[cust],
            title=title,
            amount=Decimal(amount),
            currency=currency,
            stage_id=st.id or 0,
            owner_id=rep_ids[owner],
            expected_close=date.fromordinal(now.date().toordinal() + close_days),
            stage_changed_at=changed,
            created_at=now - timedelta(days=40),
            updated_at=changed,
            closed_at=changed if st.is_closed else None,
            lost_reason=extra if st.is_lost else None,
            closed_amount=Decimal(extra) if st.is_won and extra else None,
        )
        deals.create(session, deal)
    for cust, kind, summary, days_ago, rep in _INTERACTIONS:
        session.add(
            Interaction(
                kind=kind,
                summary=summary,
                customer_id=cust_ids[cust],
                rep_id=rep_ids[rep],
                occurred_at=now - timedelta(days=days_ago),
            )
        )
    for title, cust, due_days, rep in _TASKS:
        due = (now + timedelta(days=due_days)).replace(hour=15, minute=0, second=0, microsecond=0)
        session.add(
            Task(
                title=title,
                customer_id=cust_ids[cust],
                assignee_id=rep_ids[rep],
                created_by_id=rep_ids[rep],
                due_at=due,
                created_at=now - timedelta(days=10),
            )
        )
    session.flush()
