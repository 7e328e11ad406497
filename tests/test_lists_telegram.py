"""/müşteriler and /arama over the real Telegram stack: pressing Next edits the message."""

from __future__ import annotations

import asyncio
import re

from storage.models import Interaction
from tests.conftest import START, add_customer, add_rep
from tests.fakes.telegram_api import FakeBotAPI
from tests.telegram_harness import message_of, telegram

AYSE = 222


async def ask(fake: FakeBotAPI, text: str):
    before = len(fake.of("sendMessage"))
    await fake.say(AYSE, text)
    return (await fake.wait_for("sendMessage", before + 1))[-1]


async def press(fake: FakeBotAPI, call, label: str):
    [button] = [b for b in call.buttons if b["text"] == label]
    before = len(fake.of("editMessageText"))
    await fake.press(AYSE, button["callback_data"], message_of(call))
    return (await fake.wait_for("editMessageText", before + 1))[-1]


def test_pressing_next_pages_through_customers_and_search(services) -> None:
    ayse = add_rep(services, "Ayşe Yılmaz", language="tr", telegram_user_id=AYSE)
    for n in range(12):
        c = add_customer(services, f"Firma {n:02d}", city="İzmir", owner_id=ayse.id)
        with services.db.session(write=True) as s:
            s.add(Interaction(kind="visit", summary=f"ışık ziyareti {n}", customer_id=c.id,
                              occurred_at=START))  # fmt: skip

    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            first = await ask(fake, "/müşteriler şehir izmir sahibi benim")
            assert first["text"].startswith("Müşteriler (12), sayfa 1/2")
            second = await press(fake, first, "Sonraki ›")
            assert second["text"].startswith("Müşteriler (12), sayfa 2/2")
            assert re.search(r"12\. Firma 11 · İzmir · Ayşe Yılmaz · son aktivite", second["text"])
            assert [b["text"] for b in second.buttons][-1] == "‹ Önceki"
            found = await ask(fake, "/arama ISIK")
            assert found["text"].startswith("&quot;ISIK&quot;: 12 sonuç, sayfa 1/2")
            more = await press(fake, found, "Sonraki ›")
            assert more["text"].count("«ışık»") == 2

    asyncio.run(scenario())
