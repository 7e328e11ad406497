"""/history: who changed what and when, before → after, newest first and paged; only of what
the rep may read; phones masked in groups; an erasure shows nothing of what it erased."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.dispatcher import Dispatcher
from handlers.history import PAGE
from handlers.kit import Incoming
from storage.models import AccessLog, ContactPoint
from tests.conftest import Chat, add_customer, add_deal, add_rep, rows
from tests.test_shared_chats import GROUP


@pytest.fixture
def team(services):
    murat = add_rep(services, "Murat Kaya", role="manager", language="tr", telegram_user_id=5)
    ayse = add_rep(services, "Ayşe Yılmaz", language="tr", manager_id=murat.id)
    can = add_rep(services, "Can Demir", language="en", manager_id=murat.id)
    return murat, ayse, can


def test_a_deal_shows_who_changed_what(services, team, clock) -> None:
    murat, ayse, can = team
    acme = add_customer(services, "Acme Lojistik", owner_id=ayse.id)
    deal = add_deal(services, acme, "Filo yenileme", "250000", owner_id=ayse.id)
    boss = Chat(services, murat)
    boss.say(f"/ata fırsat #{deal.id} Can")
    boss.say(f"/stage #{deal.id} teklif")
    lines = boss.say(f"/gecmis fırsat #{deal.id}").text.splitlines()
    assert lines[0] == 'Geçmiş · fırsat "Filo yenileme" (3 değişiklik):'
    assert lines[1].endswith(" · Murat Kaya: değiştirdi") and lines[2] == "   Aşama: Aday → Teklif"
    assert lines[4] == "   Sorumlu: Ayşe Yılmaz → Can Demir"
    assert lines[5].endswith(" · bot: oluşturdu")
    assert "   Müşteri: Acme Lojistik (#1)" in lines and "   Tutar: ₺250.000" in lines
    english = Chat(services, can).say(f"/history deal #{deal.id}").text.splitlines()
    assert english[0] == 'History of the deal "Filo yenileme" (3 changes):'
    assert english[2] == "   Stage: Lead → Proposal"


def test_a_customer_includes_its_phones_and_is_logged_as_read(services, team) -> None:
    murat, ayse, _ = team
    acme = add_customer(services, "Acme Lojistik", owner_id=ayse.id, phone="+905321112233")
    with services.db.session(write=True) as s:
        s.add(ContactPoint(customer_id=acme.id, kind="phone", value="+905329998877"))
    text = Chat(services, murat).say("/history Acme Lojistik").text
    assert "(telefon ya da e-posta)" in text and "   Telefon ya da e-posta: 0532 999 88 77" in text
    assert "   Telefon: 0532 111 22 33" in text and "   Tür: telefon" in text
    with services.db.session() as s:
        logged = s.exec(select(AccessLog).where(AccessLog.detail == "history")).all()
    assert [(r.rep_id, r.entity_id) for r in logged] == [(murat.id, acme.id)]


def test_phones_are_masked_in_a_group(services, team) -> None:
    murat, ayse, _ = team
    add_customer(services, "Acme Lojistik", owner_id=ayse.id, phone="+905321112233")
    incoming = Incoming("telegram", str(GROUP), "5", "/history Acme Lojistik", is_private=False)
    [reply] = __import__("asyncio").run(Dispatcher(services).handle(incoming))
    assert "0532 111 22 33" not in reply.text and "Telefon: " in reply.text
    assert murat.id is not None


def test_long_histories_are_paged(services, team) -> None:
    murat, ayse, _ = team
    acme = add_customer(services, "Acme Lojistik", owner_id=ayse.id)
    deal = add_deal(services, acme, "Filo yenileme", "1000", owner_id=ayse.id)
    boss = Chat(services, murat)
    for n in range(PAGE + 4):  # 14 moves and the creation: 15 changes
        boss.say(f"/stage #{deal.id} {'teklif' if n % 2 == 0 else 'aday'}")
    first = boss.say(f"/history fırsat #{deal.id}")
    assert first.text.splitlines()[0] == (
        f'Geçmiş · fırsat "Filo yenileme" ({PAGE + 5} değişiklik), sayfa 1/2:'
    )
    assert first.text.count("• ") == PAGE
    second = boss.press(first, "Daha eski")
    assert second.text.count("• ") == 5
    assert [line for line in second.text.splitlines() if line.startswith("• ")][-1].endswith(
        " · bot: oluşturdu"
    )
    assert [b.label for b in second.buttons] == ["Aç"]


def test_only_what_the_rep_may_read(services, team) -> None:
    _, ayse, _ = team
    outsider = add_rep(services, "Zeynep Ak", role="manager")
    theirs = add_customer(services, "Gizli Holding", owner_id=outsider.id)
    add_deal(services, theirs, "Gizli fırsat", "1000", owner_id=outsider.id)
    answer = Chat(services, ayse).say("/history fırsat #1").text
    assert "Gizli" not in answer


def test_an_erasure_hides_what_it_erased(services, team, crm_bot) -> None:
    murat, ayse, _ = team
    person = add_customer(services, "Veli Yıldız", kind="person", owner_id=ayse.id,
                          phone="+905551112233")  # fmt: skip
    boss = Chat(services, murat)
    assert "0555 111 22 33" in boss.say(f"/history #{person.id}").text
    crm_bot("privacy", "forget", f"customer#{person.id}", "--yes",
            db=services.settings.crm_database_url)  # fmt: skip
    text = boss.say(f"/history #{person.id}").text
    assert "0555 111 22 33" not in text and "Veli" not in text and "Yıldız" not in text


def test_bad_input_gets_usage(services, chat: Chat) -> None:
    assert chat.say("/history").text.startswith("Usage: /history [customer|deal|task]")
    assert rows(services, AccessLog) == []
