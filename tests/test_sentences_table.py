"""What a sentence typed without a slash should mean, as a table a sales rep could read.

The reader (``handlers/sentences``) grows by heuristics: verbs, endings, clauses, names beside
the verb. A heuristic fixed for one sentence easily breaks another, so this table holds well
over a hundred sentences as Turkish and English reps really write them, each with what the rep
means: the action, the customer (from the book below), the summary, the next step and its due
date, and when a past event happened. The expectations are the rep's, not the code's: they
were written before the reader was run on them, and the reader was fixed where it disagreed.

Every row is checked on the proposal's [Save] button, the very command saving runs (``/log``,
``/stage`` or ``/task``), with nothing written before it; a sample is also saved and the rows
written are checked. The clock is Monday 23 November 2026, 10:00 in Istanbul.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from storage.models import Deal, Interaction, Stage, Task
from tests.conftest import Chat, add_customer, add_deal, add_rep, count, rows

IST = ZoneInfo("Europe/Istanbul")
NOW = "2026-11-23 10:00"  # the clock fixture, a Monday
YESTERDAY = "2026-11-22"
TODAY_EOD = "2026-11-23 18:00"
TOMORROW_EOD = "2026-11-24 18:00"
THU = "2026-11-26 18:00"
FRI = "2026-11-27 18:00"
NEXT_MON = "2026-11-30 18:00"  # "next week", "gelecek hafta"
NEXT_TUE = "2026-12-01 18:00"  # "next tuesday", "haftaya salı"
DEAL_AMOUNT = "100000.00"

# The book: Turkish people and companies, English companies. Each has one open deal.
OZMEN = "Uğur Hami Özmen"
SELIN = "Selin Aydın"
MEHMET = "Mehmet Çelik"
ZEYNEP = "Zeynep Koç"
HAKAN = "Hakan Erdem"  # no Turkish letters
KAYA = "Kaya Tekstil A.Ş."
DEMIR = "Demir Lojistik Ltd. Şti."
YILDIZ = "Yıldız Gıda A.Ş."
ANADOLU = "Anadolu Makina Ltd."
EGE = "Ege Mobilya A.Ş."
ACME = "Acme Corporation"
GLOBEX = "Globex Ltd"
INITECH = "Initech"
NORTHWIND = "Northwind Traders"
HOOLI = "Hooli"
BRIGHT = "Brightside Foods Ltd"
BOOK = {
    OZMEN: {"kind": "person", "city": "İstanbul"},
    SELIN: {"kind": "person", "city": "İzmir"},
    MEHMET: {"kind": "person", "city": "Ankara"},
    ZEYNEP: {"kind": "person", "city": "Bursa"},
    HAKAN: {"kind": "person", "city": "Kocaeli"},
    KAYA: {"city": "Denizli"},
    DEMIR: {"city": "Mersin"},
    YILDIZ: {"city": "Konya"},
    ANADOLU: {"city": "Kayseri"},
    EGE: {"city": "İzmir"},
    ACME: {"city": "London", "country": "United Kingdom"},
    GLOBEX: {"city": "Manchester", "country": "United Kingdom"},
    INITECH: {"city": "Austin", "country": "United States"},
    NORTHWIND: {"city": "Seattle", "country": "United States"},
    HOOLI: {"city": "Palo Alto", "country": "United States"},
    BRIGHT: {"city": "Leeds", "country": "United Kingdom"},
}

LOG_KINDS = ("call", "visit", "meeting", "email", "note")
SAVE = {"tr": "Kaydet", "en": "Save"}
ASK_WHO = {"tr": "Kiminleydi?", "en": "Who was it with?"}
HELLO = {"tr": "Merhaba Ayşe! Ne yapmak istersiniz?", "en": "Hello Sam! What would you like to do?"}
THANKS = {"tr": "Rica ederim.", "en": "You're welcome."}
OK = "👍"


@dataclass(frozen=True)
class Heard:
    """What a sentence means. ``summary`` is the /log summary, the lost reason, the won amount
    ("250000.00 TRY", "" when none was said) or a greeting's answer; ``then`` and ``due`` are
    the next step, or a /task's title and due; ``on`` is when a past event happened (a date
    alone compares the day only)."""

    action: str  # call | visit | meeting | email | note | won | lost | task | greeting | card
    customer: str | None = None
    summary: str | None = None
    then: str | None = None
    due: str | None = None
    on: str | None = None


@dataclass(frozen=True)
class Row:
    language: str
    text: str
    means: Heard
    save: bool  # in the sample that is saved too


def _row(
    language: str,
    text: str,
    action: str,
    customer: str | None = None,
    summary: str | None = None,
    *,
    then: str | None = None,
    due: str | None = None,
    on: str | None = None,
    save: bool = False,
) -> Any:
    row = Row(language, text, Heard(action, customer, summary, then, due, on), save)
    return pytest.param(row, id=f"{language}: {text}")


tr, en = partial(_row, "tr"), partial(_row, "en")


# fmt: off
TURKISH = [
    # calls
    tr("Uğur Özmen'i aradım, fiyat konuştuk, cuma teklif göndereceğim", "call", OZMEN,
       "fiyat konuştuk", then="teklif göndereceğim", due=FRI, save=True),
    tr("Selin Aydın'ı aradım, yeni katalog istedi", "call", SELIN, "yeni katalog istedi",
       save=True),
    tr("Kaya Tekstil'i aradık, sipariş miktarını netleştirdik", "call", KAYA,
       "sipariş miktarını netleştirdik"),
    tr("Hakan Erdem'le telefonda konuştuk, ödeme planı soruyor", "call", HAKAN,
       "ödeme planı soruyor", save=True),
    tr("Zeynep Koç ile telefonda görüştük, bütçe onayı bekleniyor", "call", ZEYNEP,
       "bütçe onayı bekleniyor"),
    tr("Mehmet Çelik aradı, fiyat listesini sordu", "call", MEHMET, "fiyat listesini sordu"),
    tr("dün Demir Lojistik'i aradım, yeni depo için teklif istediler", "call", DEMIR,
       "yeni depo için teklif istediler", on=YESTERDAY, save=True),
    tr("Özmen’i aradım, cuma tekrar arayacağım", "call", OZMEN, "Özmen’i aradım",
       then="tekrar arayacağım", due=FRI, save=True),
    tr("ozmeni aradim fiyat konustuk", "call", OZMEN, "ozmeni aradim fiyat konustuk"),
    tr("Globex'i aramıştım, geri dönmediler", "call", GLOBEX, "geri dönmediler"),
    tr("Initech aradı, demo talep etti", "call", INITECH, "demo talep etti"),
    tr("Acme'yi aradık ama ulaşamadık", "call", ACME, "ulaşamadık"),
    tr("Ege Mobilya'yla telefonlaştık, sevkiyat gecikmiş", "call", EGE, "sevkiyat gecikmiş"),
    tr("Demir Lojistik'ten Ali Bey aradı, fatura sordu", "call", DEMIR, "fatura sordu"),
    tr("Hakan Erdem'le dün telefonda görüştük, numuneler ulaşmış", "call", HAKAN,
       "numuneler ulaşmış", on=YESTERDAY),
    tr("ACME'yi aradım", "call", ACME, "ACME'yi aradım"),
    tr("Kaya Tekstil'i aradım, 2 top kumaş istediler", "call", KAYA, "2 top kumaş istediler"),
    tr("Selin Hanım aramış, beni sormuş", "call", SELIN, "beni sormuş"),
    tr("telefonda görüştük, fiyatı beğenmediler", "call", None, "fiyatı beğenmediler",
       save=True),
    tr("Müşteriyi aradım, yarın tekrar arayacağım", "call", None, "Müşteriyi aradım",
       then="tekrar arayacağım", due=TOMORROW_EOD),
    # calls to come: tasks
    tr("Yarın 10da Selin Aydın'ı arayacağım", "task", SELIN, then="Selin Aydın'ı arayacağım",
       due="2026-11-24 10:00", save=True),
    tr("Hakan Bey'i perşembe arayacağız", "task", HAKAN, then="Hakan Bey'i arayacağız", due=THU),
    tr("Demir Lojistik aranacak yarın sabah", "task", DEMIR, then="Demir Lojistik aranacak",
       due="2026-11-24 09:00"),
    tr("Anadolu Makina'yı aramam lazım cuma", "task", ANADOLU,
       then="Anadolu Makina'yı aramam lazım", due=FRI),
    tr("Özmen'i aramalıyım, cuma", "task", OZMEN, then="Özmen'i aramalıyım", due=FRI),
    tr("Perşembe saat 15 Zeynep Koç'u arayacağım", "task", ZEYNEP,
       then="Zeynep Koç'u arayacağım", due="2026-11-26 15:00"),
    # visits
    tr("Ege Mobilya'yı ziyaret ettim, showroom'u gezdik", "visit", EGE, "showroom'u gezdik",
       save=True),
    tr("Kaya Tekstil'e uğradım, numune bıraktım", "visit", KAYA, "numune bıraktım", save=True),
    tr("dün Özmen'e uğradım, numune bıraktım", "visit", OZMEN, "numune bıraktım", on=YESTERDAY),
    tr("Bugün Özmen'e uğradım, sipariş aldım", "visit", OZMEN, "sipariş aldım", on=NOW),
    tr("Yıldız Gıda'ya gittik, depo sorumlusuyla tanıştık", "visit", YILDIZ,
       "depo sorumlusuyla tanıştık", save=True),
    tr("Geçen cuma Anadolu Makina'yı ziyaret ettik, yeni hat kurulmuş", "visit", ANADOLU,
       "yeni hat kurulmuş", on="2026-11-20", save=True),
    tr("Zeynep Hanım'ın ofisine gittim, sözleşmeyi imzalattım", "visit", ZEYNEP,
       "sözleşmeyi imzalattım"),
    tr("Hakan Erdem'e uğradım, kahve içtik, yarın 14:00'te demo yapacağız", "visit", HAKAN,
       "kahve içtik", then="demo yapacağız", due="2026-11-24 14:00", save=True),
    tr("Ege Mobilya ziyaretine gittim, yeni koleksiyonu gösterdim", "visit", EGE,
       "yeni koleksiyonu gösterdim"),
    tr("Ege Mobilya'yı ziyaret etmiştik, katalog bırakmıştık", "visit", EGE,
       "katalog bırakmıştık"),
    tr("Anadolu Makinaya uğradım", "visit", ANADOLU, "Anadolu Makinaya uğradım"),
    tr("Yildiz Gida'ya gittim", "visit", YILDIZ, "Yildiz Gida'ya gittim"),
    # visits to come: tasks
    tr("Selin Aydın'ı ziyaret edeceğim perşembe", "task", SELIN,
       then="Selin Aydın'ı ziyaret edeceğim", due=THU),
    tr("Bugün Kaya Tekstil'e gideceğim", "task", KAYA, then="Kaya Tekstil'e gideceğim",
       due=TODAY_EOD),
    tr("Yarın Acme'ye uğrarım", "task", ACME, then="Acme'ye uğrarım", due=TOMORROW_EOD),
    # meetings
    tr("Kaya'yla görüştük, yıllık anlaşmayı konuştuk", "meeting", KAYA,
       "yıllık anlaşmayı konuştuk", save=True),
    tr("Yıldız Gıda ile toplantı yaptık, yeni ürün listesini sunduk", "meeting", YILDIZ,
       "yeni ürün listesini sunduk", save=True),
    tr("Mehmet Çelik'le buluştum, kartvizit verdi", "meeting", MEHMET, "kartvizit verdi"),
    tr("Anadolu Makina'yla görüşme yaptık, teknik şartname bekliyorlar, haftaya salı "
       "şartnameyi göndereceğiz", "meeting", ANADOLU, "teknik şartname bekliyorlar",
       then="şartnameyi göndereceğiz", due=NEXT_TUE),
    tr("Zeynep Koç'la görüştüm ve indirim istedi", "meeting", ZEYNEP, "indirim istedi"),
    tr("Zeynep Koç’la görüştük", "meeting", ZEYNEP, "Zeynep Koç’la görüştük"),
    tr("Ozmen'le gorustuk, siparis verecekler", "meeting", OZMEN, "siparis verecekler"),
    tr("Northwind'le görüştük, fiyatlar uygun bulundu", "meeting", NORTHWIND,
       "fiyatlar uygun bulundu"),
    tr("Görüştük, olumlu geçti", "meeting", None, "olumlu geçti"),
    # meetings to come: tasks
    tr("Globex'le toplantı yapacağız cuma 11:00'de", "task", GLOBEX,
       then="Globex'le toplantı yapacağız", due="2026-11-27 11:00"),
    tr("Bugün öğleden sonra Demir Lojistik'le görüşeceğim", "task", DEMIR,
       then="Demir Lojistik'le görüşeceğim", due="2026-11-23 14:00", save=True),
    # e-mails
    tr("Özmen'e mail attım, kataloğu ilettim", "email", OZMEN, "kataloğu ilettim", save=True),
    tr("Selin Aydın'a e-posta gönderdim, teklifi ekledim", "email", SELIN, "teklifi ekledim"),
    tr("Hakan Erdem'e fiyat listesini mail attım", "email", HAKAN,
       "Hakan Erdem'e fiyat listesini mail attım"),
    tr("Ege Mobilya'ya eposta attık, cevap bekliyoruz", "email", EGE, "cevap bekliyoruz"),
    tr("Kaya Tekstil'e teklifi mailledim", "email", KAYA, "Kaya Tekstil'e teklifi mailledim"),
    tr("mail attım, dönüş yapmadılar", "email", None, "dönüş yapmadılar", save=True),
    # reminders
    tr("Cuma Özmen'e teklifi göndermeyi hatırlat", "task", OZMEN,
       then="Özmen'e teklifi göndermeyi", due=FRI, save=True),
    tr("Bana yarın 10da Kaya Tekstil'i aramayı hatırlat", "task", KAYA,
       then="Kaya Tekstil'i aramayı", due="2026-11-24 10:00"),
    tr("Yıldız Gıda'nın ödemesini perşembe hatırlat", "task", YILDIZ,
       then="Yıldız Gıda'nın ödemesini", due=THU),
    tr("Haftaya salı sözleşme yenilemesini hatırlat", "task", None,
       then="sözleşme yenilemesini", due=NEXT_TUE),
    # stage news
    tr("Yıldız Gıda'yla anlaştık, 250.000 TL", "won", YILDIZ, "250000.00 TRY", save=True),
    tr("Kaya Tekstil'i kazandık, 180 bin TL", "won", KAYA, "180000.00 TRY", save=True),
    tr("Ege Mobilya sözleşmeyi imzaladı", "won", EGE, "", save=True),
    tr("Zeynep Koç'la imzaladık 95.000 TL", "won", ZEYNEP, "95000.00 TRY"),
    tr("Demir Lojistik'le 320.000 TL'ye anlaştık", "won", DEMIR, "320000.00 TRY"),
    tr("Selin Aydın teklifimizi kabul etti, 75 bin TL'ye anlaştık", "won", SELIN,
       "75000.00 TRY"),
    tr("Anadolu Makina'yı kaybettik, rakip daha ucuz verdi", "lost", ANADOLU,
       "rakip daha ucuz verdi", save=True),
    tr("Özmen'i kaybettik, fiyat yüksek bulundu", "lost", OZMEN, "fiyat yüksek bulundu"),
    tr("Hakan Erdem işi kaybedildi, bütçe dondu", "lost", HAKAN, "bütçe dondu"),
    # greetings, thanks, ok
    tr("günaydın", "greeting", None, HELLO["tr"]),
    tr("Selamlar", "greeting", None, HELLO["tr"]),
    tr("Merhaba!", "greeting", None, HELLO["tr"]),
    tr("Kolay gelsin", "greeting", None, HELLO["tr"]),
    tr("iyi akşamlar", "greeting", None, HELLO["tr"]),
    tr("teşekkürler", "greeting", None, THANKS["tr"]),
    tr("çok sağol", "greeting", None, THANKS["tr"]),
    tr("eyvallah", "greeting", None, THANKS["tr"]),
    tr("çok teşekkür ederim", "greeting", None, THANKS["tr"]),
    tr("tamam", "greeting", None, OK),
    tr("tamamdır", "greeting", None, OK),
    # a name alone: the card
    tr("Uğur Özmen", "card", OZMEN),
    tr("Kaya Tekstil", "card", KAYA),
    tr("hakan erdem", "card", HAKAN),
]

ENGLISH = [
    # calls
    en("Called Acme, they want a demo next tuesday", "call", ACME, "Called Acme",
       then="they want a demo", due=NEXT_TUE, save=True),
    en("Called Acme, they want 5 demo units", "call", ACME, "they want 5 demo units"),
    en("Called Globex about the renewal", "call", GLOBEX, "Called Globex about the renewal",
       save=True),
    en("Phoned Initech, they asked for a discount", "call", INITECH,
       "they asked for a discount", save=True),
    en("Spoke with Hooli, budget approved for Q1", "call", HOOLI, "budget approved for Q1"),
    en("Rang Northwind Traders, left a voicemail", "call", NORTHWIND, "left a voicemail",
       save=True),
    en("I called Brightside Foods yesterday, they loved the samples", "call", BRIGHT,
       "they loved the samples", on=YESTERDAY, save=True),
    en("talked to Acme this morning, pricing is fine", "call", ACME, "pricing is fine",
       on="2026-11-23"),
    en("We spoke to Globex on the phone, they need the contract by Friday", "call", GLOBEX,
       "We spoke to Globex on the phone", then="they need the contract", due=FRI),
    en("phoned acme re invoice", "call", ACME, "phoned acme re invoice"),
    en("Had a call with Northwind, they are reviewing the quote", "call", NORTHWIND,
       "they are reviewing the quote"),
    en("just got off the phone with Acme, they want 50 licenses", "call", ACME,
       "they want 50 licenses"),
    en("Spoke to Hooli's procurement team, they need a W-9", "call", HOOLI, "they need a W-9"),
    en("Globex called, asking about delivery dates", "call", GLOBEX,
       "asking about delivery dates"),
    en("ACME called back, they accepted the terms", "call", ACME, "they accepted the terms"),
    en("called, no answer", "call", None, "no answer", save=True),
    # calls to come: tasks
    en("will call Hooli tomorrow at 3pm", "task", HOOLI, then="will call Hooli",
       due="2026-11-24 15:00", save=True),
    en("Need to call Initech on Thursday", "task", INITECH, then="Need to call Initech",
       due=THU),
    en("Calling Initech tomorrow at 11", "task", INITECH, then="Calling Initech",
       due="2026-11-24 11:00"),
    en("I'll call Northwind next week", "task", NORTHWIND, then="I'll call Northwind",
       due=NEXT_MON),
    # visits
    en("Visited Acme, they want a demo next tuesday", "visit", ACME, "Visited Acme",
       then="they want a demo", due=NEXT_TUE),
    en("Dropped by Hooli, left samples with reception", "visit", HOOLI,
       "left samples with reception", save=True),
    en("Stopped by Globex yesterday, met the new buyer", "visit", GLOBEX, "met the new buyer",
       on=YESTERDAY),
    en("Went to Initech's office, showed the new dashboard", "visit", INITECH,
       "showed the new dashboard"),
    en("visited Brightside Foods Ltd on Friday", "visit", BRIGHT, "visited Brightside Foods Ltd",
       on="2026-11-20"),
    en("popped in at Northwind, they are expanding the warehouse", "visit", NORTHWIND,
       "they are expanding the warehouse"),
    en("visited the Acme plant today, production line is down", "visit", ACME,
       "production line is down", on=NOW),
    en("I will visit Hooli next week", "task", HOOLI, then="I will visit Hooli", due=NEXT_MON),
    # meetings
    en("Met with Globex, they liked the proposal", "meeting", GLOBEX, "they liked the proposal",
       save=True),
    en("Had a meeting with Initech about the rollout", "meeting", INITECH,
       "Had a meeting with Initech about the rollout", save=True),
    en("met Acme's CFO, budget is tight", "meeting", ACME, "budget is tight"),
    en("Had a meeting with Hooli yesterday, they asked for references", "meeting", HOOLI,
       "they asked for references", on=YESTERDAY),
    en("met with the Brightside Foods team, agreed on a pilot", "meeting", BRIGHT,
       "agreed on a pilot"),
    en("met Initech last Thursday, they want a pilot", "meeting", INITECH, "they want a pilot",
       on="2026-11-19"),
    en("Had a meeting, all good", "meeting", None, "all good"),
    en("Meeting with Northwind on Thursday at 10am", "task", NORTHWIND,
       then="Meeting with Northwind", due="2026-11-26 10:00", save=True),
    # e-mails
    en("Emailed Acme the revised quote", "email", ACME, "Emailed Acme the revised quote",
       save=True),
    en("Sent an email to Globex with the price list", "email", GLOBEX,
       "Sent an email to Globex with the price list", save=True),
    en("e-mailed Hooli, waiting for their reply", "email", HOOLI, "waiting for their reply"),
    en("wrote to Initech about the delay", "email", INITECH, "wrote to Initech about the delay"),
    en("emailed Northwind yesterday about the invoice", "email", NORTHWIND,
       "emailed Northwind about the invoice", on=YESTERDAY),
    en("emailed the quote to Hooli", "email", HOOLI, "emailed the quote to Hooli"),
    en("mailed Brightside the contract, follow up on Friday", "email", BRIGHT,
       "mailed Brightside the contract", then="follow up", due=FRI),
    en("sent an email, no reply yet", "email", None, "no reply yet"),
    # reminders
    en("remind me to call Acme on friday", "task", ACME, then="call Acme", due=FRI, save=True),
    en("Remind me to send Globex the contract tomorrow at 3pm", "task", GLOBEX,
       then="send Globex the contract", due="2026-11-24 15:00", save=True),
    en("remind me tomorrow at 9 to chase Hooli for the PO", "task", HOOLI,
       then="chase Hooli for the PO", due="2026-11-24 09:00"),
    en("reminder: renew the Initech contract next week", "task", INITECH,
       then="renew the Initech contract", due=NEXT_MON),
    en("remind me to follow up on the samples next Tuesday", "task", None,
       then="follow up on the samples", due=NEXT_TUE),
    # stage news
    en("Won the Globex deal, 120,000 TRY", "won", GLOBEX, "120000.00 TRY", save=True),
    en("Signed Initech for 85,000", "won", INITECH, "85000.00 TRY", save=True),
    en("Hooli signed", "won", HOOLI, ""),
    en("closed the deal with Hooli at 60k", "won", HOOLI, "60000.00 TRY"),
    en("Brightside signed the contract yesterday, 45,000 TRY", "won", BRIGHT, "45000.00 TRY"),
    en("Lost Northwind, they went with a cheaper vendor", "lost", NORTHWIND,
       "they went with a cheaper vendor", save=True),
    en("Lost Brightside Foods, budget cut", "lost", BRIGHT, "budget cut"),
    en("Lost the Globex deal", "lost", GLOBEX, ""),
    # greetings, thanks, ok
    en("hi", "greeting", None, HELLO["en"]),
    en("Good morning", "greeting", None, HELLO["en"]),
    en("hey there", "greeting", None, HELLO["en"]),
    en("hello!", "greeting", None, HELLO["en"]),
    en("thanks", "greeting", None, THANKS["en"]),
    en("thank you!", "greeting", None, THANKS["en"]),
    en("cheers", "greeting", None, THANKS["en"]),
    en("Thanks a lot", "greeting", None, THANKS["en"]),
    en("ok", "greeting", None, OK),
    en("got it", "greeting", None, OK),
    # a name alone: the card
    en("Acme Corporation", "card", ACME),
    en("Globex", "card", GLOBEX),
    en("northwind traders", "card", NORTHWIND),
]
# fmt: on

ROWS = [*TURKISH, *ENGLISH]
SAVED = [p for p in ROWS if p.values[0].save]

MOMENT = r"\d{4}-\d\d-\d\d \d\d:\d\d"
LOG = re.compile(
    rf"/log (?P<kind>\w+)(?: #(?P<id>\d+))?(?: on: (?P<on>{MOMENT}))?"
    rf"(?: next: (?P<then>.+?)(?: (?P<due>{MOMENT}))?)? -- (?P<summary>.*)",
    re.DOTALL,
)
TASK = re.compile(rf"/task (?P<then>.+?)(?: (?P<due>{MOMENT}))?(?: #(?P<id>\d+))?")
STAGE = re.compile(r"/stage #(?P<deal>\d+) (?P<stage>won|lost)(?: (?P<rest>.+))?")


@dataclass
class Book:
    names: dict[int, str]  # customer id -> name
    deals: dict[int, str]  # deal id -> its customer's name

    def name(self, customer_id: int | None) -> str | None:
        return self.names[customer_id] if customer_id is not None else None


@pytest.fixture
def book(services) -> Book:
    names, owners = {}, {}
    for name, fields in BOOK.items():
        customer = add_customer(services, name, **fields)
        deal = add_deal(services, customer, f"{name} yıllık sözleşme", DEAL_AMOUNT)
        names[customer.id], owners[deal.id] = name, name
    return Book(names, owners)


def chat_for(services, language: str) -> Chat:
    name = "Ayşe Yılmaz" if language == "tr" else "Sam Carter"
    return Chat(services, add_rep(services, name, language=language))


def local(moment: datetime) -> str:
    return f"{moment.astimezone(IST):%Y-%m-%d %H:%M}"


def heard(reply, book: Book, language: str) -> Heard:
    """What the bot understood, read off its reply: the [Save] command, parsed."""
    if reply.card is not None:
        return Heard("card", book.name(reply.card.id))
    if [b.command for b in reply.buttons] == ["/tasks", "/log"]:
        return Heard("greeting", summary=reply.text)
    if not reply.buttons or reply.buttons[0].label != SAVE[language]:
        return Heard("no proposal", summary=reply.text)
    save = reply.buttons[0].command
    if found := LOG.fullmatch(save):
        customer = book.name(int(found["id"])) if found["id"] else None
        return Heard(found["kind"], customer, found["summary"], found["then"], found["due"],
                     found["on"])  # fmt: skip
    if found := TASK.fullmatch(save):
        customer = book.name(int(found["id"])) if found["id"] else None
        return Heard("task", customer, None, found["then"], found["due"])
    if found := STAGE.fullmatch(save):
        return Heard(found["stage"], book.deals[int(found["deal"])], found["rest"] or "")
    return Heard("unreadable", summary=save)


def as_precise_as(actual: Heard, expected: Heard) -> Heard:
    """``actual`` with its event date cut to the day when the row gives a day only."""
    if actual.on and expected.on and len(expected.on) == len("2026-11-23"):
        return replace(actual, on=actual.on[: len(expected.on)])
    return actual


def state(services) -> tuple[int, int, list[tuple[int, str | None]]]:
    """What a proposal must not change: interactions, tasks, and every deal's stage."""
    deals = [(d.stage_id, d.lost_reason) for d in rows(services, Deal)]
    return count(services, Interaction), count(services, Task), deals


def test_the_table_is_large_enough() -> None:
    assert len(TURKISH) >= 60, len(TURKISH)
    assert len(ENGLISH) >= 60, len(ENGLISH)
    assert len([p for p in SAVED if not p.marks]) >= 20, len(SAVED)
    assert len(BOOK) >= 15


@pytest.mark.parametrize("row", ROWS)
def test_a_sentence_is_proposed_as_the_rep_means_it(services, book: Book, row: Row) -> None:
    chat = chat_for(services, row.language)
    before = state(services)
    reply = chat.say(row.text)
    assert as_precise_as(heard(reply, book, row.language), row.means) == row.means
    assert state(services) == before  # nothing is written before Save


def written(services, book: Book, deal_stages: dict[int, str]) -> Heard | None:
    """What saving wrote, read back as a ``Heard``."""
    events, tasks = rows(services, Interaction), rows(services, Task)
    task = tasks[0] if tasks else None
    assert len(events) <= 1 and len(tasks) <= 1, (events, tasks)
    then, due = (task.title, local(task.due_at)) if task else (None, None)
    if events:
        event = events[0]
        if task is not None:
            assert task.customer_id == event.customer_id
        return Heard(event.kind, book.name(event.customer_id), event.summary, then, due,
                     local(event.occurred_at))  # fmt: skip
    if task is not None:
        return Heard("task", book.name(task.customer_id), None, then, due)
    closed = [d for d in rows(services, Deal) if deal_stages[d.stage_id] != "Lead"]
    if not closed:
        return None
    [deal] = closed
    stage = deal_stages[deal.stage_id].lower()
    detail = deal.lost_reason if stage == "lost" else f"{deal.closed_amount} {deal.currency}"
    return Heard(stage, book.deals[deal.id], detail)


@pytest.mark.parametrize("row", SAVED)
def test_save_writes_what_was_proposed(services, book: Book, row: Row) -> None:
    chat = chat_for(services, row.language)
    deal_stages = {s.id: s.name for s in rows(services, Stage)}
    reply = chat.press(chat.say(row.text), SAVE[row.language])
    means = row.means
    if means.action in LOG_KINDS and means.customer is None:  # Save asks who it was with
        assert reply.text.startswith(ASK_WHO[row.language]), reply.text
        assert written(services, book, deal_stages) is None
        return
    if means.action in LOG_KINDS and means.on is None:
        means = replace(means, on=NOW)  # an event without a date happened now
    if means.action == "won" and not means.summary:
        means = replace(means, summary=f"{DEAL_AMOUNT} TRY")  # the deal's amount, asked after
    assert as_precise_as(written(services, book, deal_stages), means) == means
