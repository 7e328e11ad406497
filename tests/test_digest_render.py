"""The digest as Replies: sections, platform limits, buttons that work, both languages, and
``/digest`` on demand."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from handlers.digest import all_reps, audience, build
from handlers.digest_render import ITEMS_PER_REPLY, MAX_TEXT
from handlers.kit import Services
from storage import deals
from storage.models import Deal
from tests.conftest import Chat, add_customer, add_deal, add_rep
from tests.scheduling import IST, subscribe


def digest_replies(services: Services, language: str = "en", rep_id: int | None = None):
    with services.db.session() as s:
        reps = all_reps(s)
        who = audience(reps, "team", rep_id, language, IST)
        return build(s, services.settings, who, "test:1", services.clock(), reps)


def many_late_deals(services: Services, n: int, title_length: int = 200) -> list[int]:
    acme = add_customer(services, "Acme Corporation")
    now = services.clock()
    with services.db.session(write=True) as s:
        lead = next(x for x in deals.stages(s) if x.name == "Lead")
        made = []
        for i in range(n):
            title = f"{i:03d} " + "very long deal title " * (1 + title_length // 21)
            d = Deal(
                title=title[:title_length],
                amount=Decimal(1000 + i),
                stage_id=lead.id,
                customer_id=acme.id,
                created_at=now - timedelta(days=1),
                stage_changed_at=now - timedelta(days=1),
                expected_close=(now - timedelta(days=30)).date(),
            )
            made.append(deals.create(s, d).id)
    return made


def attention_pages(replies):
    return [r for r in replies if r.text.startswith("⚠")]


def test_attention_is_paged_ten_items_to_a_reply_within_the_text_limit(services):
    services.settings = services.settings.model_copy(update={"crm_digest_items_per_rule": 40})
    many_late_deals(services, 40)
    _data, replies = digest_replies(services)
    pages = attention_pages(replies)
    # 40 past their close date and the same 40 without an owner: 80 items.
    assert len(pages) == 8
    for page in pages:
        items = [line for line in page.text.splitlines() if line.startswith("• ")]
        assert 1 <= len(items) <= ITEMS_PER_REPLY
        assert len(page.text) <= MAX_TEXT
    assert all(len(r.text) <= MAX_TEXT for r in replies)
    assert pages[0].text.startswith("⚠ Needs attention (1/8)")


def test_a_rule_lists_a_few_and_points_to_pipeline_for_the_rest(services):
    many_late_deals(services, 12, title_length=20)
    _data, replies = digest_replies(services)
    [*_, last] = attention_pages(replies)
    # Two rules (past close, no owner) with 12 deals each, five listed per rule: 14 not listed.
    assert "…and 14 more: see /pipeline" in last.text
    assert last.buttons[-1].command == "/pipeline"
    assert (
        "Past the expected close date by more than 14 days (12)" in attention_pages(replies)[0].text
    )


def test_a_long_summary_is_cut_with_a_pointer_to_pipeline(services):
    services.settings = services.settings.model_copy(update={"crm_digest_items_per_rule": 300})
    many_late_deals(services, 300, title_length=60)
    # They are new since yesterday: the "new deals" list in the summary is 300 lines long.
    with services.db.session(write=True) as s:
        for d in s.exec(select(Deal)):
            d.created_at = services.clock() - timedelta(hours=1)
            s.add(d)
    _data, replies = digest_replies(services)
    summary = replies[0].text
    assert len(summary) <= MAX_TEXT
    assert "more lines: see /pipeline" in summary.splitlines()[-1]


def test_every_attention_item_has_buttons_that_work(services, admin):
    acme = add_customer(services, "Acme Corporation")
    late = add_deal(
        services,
        acme,
        "fleet tracking",
        "250000",
        "Proposal",
        owner_id=admin.id,
        created_at=services.clock() - timedelta(days=40),
        stage_changed_at=services.clock() - timedelta(days=2),
        expected_close=(services.clock() - timedelta(days=20)).date(),
    )
    _data, replies = digest_replies(services)
    [page] = attention_pages(replies)
    commands = [b.command for b in page.buttons]
    assert commands == [f"/deal #{late.id}", f"/stage #{late.id} lost"]
    chat = Chat(services, admin)
    card = chat.press(page, f"Open #{late.id}")
    assert card.card is not None and card.card.id == late.id
    question = chat.press(page, f"Lost #{late.id}")
    assert question.text.startswith('Why was "fleet tracking" lost?')


def test_turkish_digest(services):
    ayse = add_rep(services, "Ayşe Yılmaz", language="tr")
    acme = add_customer(services, "Acme A.Ş.")
    add_deal(
        services,
        acme,
        "filo takip",
        "1250000",
        "Lost",
        owner_id=ayse.id,
        lost_reason="fiyat",
        closed_at=services.clock() - timedelta(hours=2),
    )
    add_deal(services, acme, "yenileme", "40000", "Proposal", owner_id=ayse.id)
    _data, replies = digest_replies(services, "tr")
    text = replies[0].text
    assert text.startswith("📊 Günlük özet · herkes · 23 Kas 2026")
    assert "• Teklif (%50): 1 · ₺40.000 · ağırlıklı ₺20.000" in text
    assert "• Kaybedilen: 1 · ₺1.250.000" in text
    assert "filo takip · Acme A.Ş. · neden: fiyat" in text
    assert replies[1].text.startswith("Aşamalara göre satış hunisi")


def test_digest_command_for_a_rep_shows_only_their_own(services, admin):
    ayse = add_rep(services, "Ayşe Yılmaz")
    acme = add_customer(services, "Acme Corporation")
    add_deal(services, acme, "ayse's deal", "1000", owner_id=ayse.id)
    add_deal(services, acme, "admin's deal", "9999", owner_id=admin.id)
    replies = Chat(services, ayse).send("/digest")
    assert replies[0].text.startswith("📊 Daily digest · Ayşe Yılmaz · Nov 23, 2026")
    assert "Lead (10%): 1 · ₺1,000" in replies[0].text
    everyone = Chat(services, admin).send("/digest")
    assert "Lead (10%): 2 · ₺10,999" in everyone[0].text
    assert any(a.mime == "image/png" for r in everyone for a in r.attachments)


def test_digest_command_in_a_subscribed_chat_uses_its_subscription(services, admin):
    murat = add_rep(services, "Murat Kaya", role="manager")
    subscribe(services, murat, platform="console", chat_id="chat-1", scope="rep")
    replies = Chat(services, admin).send("/digest")
    assert replies[0].text.startswith("📊 Daily digest · Murat Kaya ·")


def test_digest_command_takes_no_arguments(chat):
    reply = chat.say("/digest everything please")
    assert reply.text.startswith("Usage: /digest")


@pytest.mark.parametrize("alias", ["/ozet", "/özet"])
def test_turkish_alias(chat, alias):
    assert chat.send(alias)[0].text.startswith("📊")
