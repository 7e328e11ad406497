"""One converted total beside the per-currency ones, in /pipeline and the digest: labelled
with the rates' dates, a currency without a rate named and left out, nothing when every deal
is in the base currency; exact arithmetic, rounded only when shown."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from handlers.digest import all_reps, audience, build
from handlers.fx import RateBook, converted_lines
from handlers.kit import Services, Translator
from storage import rates, reps
from storage.models import Customer
from tests.conftest import Chat, add_customer, add_deal, add_rep

IST = ZoneInfo("Europe/Istanbul")
EN, TR = Translator("en"), Translator("tr")


@pytest.fixture
def acme(services: Services) -> Customer:
    return add_customer(services, "Acme Corporation")


def put(services: Services, currency: str, day: str, rate: str) -> None:
    at = datetime(2026, 11, 20, tzinfo=UTC)
    with services.db.session(write=True) as s:
        rates.put(s, "TRY", currency, date.fromisoformat(day), Decimal(rate), "test", at)


def mixed(services: Services, acme: Customer) -> None:
    add_deal(services, acme, "A", "100000", stage="Lead")  # ₺100,000, weighted ₺10,000
    add_deal(services, acme, "B", "1000", stage="Proposal", currency="USD")  # weighted $500
    add_deal(services, acme, "C", "2000", stage="Lead", currency="GBP")  # weighted £200
    add_deal(services, acme, "D", "5000", stage="Won", currency="USD")  # closed: not open


def pipeline(services: Services, language: str = "en") -> list[str]:
    with services.db.session() as s:
        rep = reps.by_name(s, f"Reader {language}")
    rep = rep or add_rep(services, f"Reader {language}", role="admin", language=language)
    return Chat(services, rep).say("/pipeline").text.splitlines()


def digest_summary(services: Services, admin, language: str = "en") -> str:
    with services.db.session() as s:
        reps = all_reps(s)
        who = audience(reps, "team", admin.id, language, IST)
        _data, replies = build(s, services.settings, who, "test:1", services.clock(), reps)
    return replies[0].text


def test_pipeline_converts_what_has_a_rate_and_names_what_has_none(services, acme):
    mixed(services, acme)
    put(services, "USD", "2026-11-20", "34.20")
    put(services, "USD", "2026-11-24", "99")  # valid after today (23 Nov): not used
    lines = pipeline(services)
    assert "Open total ₺100,000, weighted ₺10,000" in lines
    assert "Open total $1,000, weighted $500" in lines
    # ₺100,000 + $1,000 × 34.20 = ₺134,200; weighted ₺10,000 + $500 × 34.20 = ₺27,100
    assert lines[-1] == (
        "≈ ₺134,200 in TRY (weighted ≈ ₺27,100) at the rates of Nov 20, 2026"
        " · no rate for GBP: not included"
    )


def test_pipeline_in_turkish(services, acme):
    mixed(services, acme)
    put(services, "USD", "2026-11-20", "34.20")
    put(services, "GBP", "2026-11-22", "43.5")
    lines = pipeline(services, "tr")
    # + £2,000 × 43.5 = ₺87,000; weighted + £200 × 43.5 = ₺8,700
    assert lines[-1] == (
        "TRY olarak ≈ ₺221.200 (ağırlıklı ≈ ₺35.800), 22 Kas 2026 (GBP) ve 20 Kas 2026 (USD)"
        " kurlarıyla"
    )


def test_no_rate_at_all_says_so_instead_of_a_total(services, acme):
    mixed(services, acme)
    assert pipeline(services)[-1] == "No exchange rate for GBP and USD: no total in TRY."
    assert pipeline(services, "tr")[-1] == (
        "GBP ve USD için döviz kuru yok: TRY cinsinden toplam verilemiyor."
    )


def test_only_the_base_currency_means_no_converted_line(services, acme):
    add_deal(services, acme, "A", "100000", stage="Lead")
    add_deal(services, acme, "D", "5000", stage="Won", currency="USD")  # closed: not in totals
    put(services, "USD", "2026-11-20", "34.20")
    text = "\n".join(pipeline(services))
    assert "≈" not in text and "rate" not in text
    assert pipeline(services)[-1] == "Open total ₺100,000, weighted ₺10,000"


def test_a_single_foreign_currency_is_converted_too(services, acme):
    add_deal(services, acme, "B", "1000", stage="Proposal", currency="USD")
    put(services, "USD", "2026-11-20", "34.20")
    assert pipeline(services)[-1] == (
        "≈ ₺34,200 in TRY (weighted ≈ ₺17,100) at the rates of Nov 20, 2026"
    )


def test_the_digest_carries_the_same_line_in_both_languages(services, acme, admin):
    mixed(services, acme)
    put(services, "USD", "2026-11-20", "34.20")
    summary = digest_summary(services, admin).splitlines()
    assert "Open total $1,000, weighted $500" in summary
    assert (
        "≈ ₺134,200 in TRY (weighted ≈ ₺27,100) at the rates of Nov 20, 2026"
        " · no rate for GBP: not included"
    ) in summary
    turkish = digest_summary(services, admin, "tr").splitlines()
    assert (
        "TRY olarak ≈ ₺134.200 (ağırlıklı ≈ ₺27.100), 20 Kas 2026 kurlarıyla"
        " · GBP için kur yok: dahil edilmedi"
    ) in turkish


def test_the_digest_of_base_currency_deals_has_no_converted_line(services, acme, admin):
    add_deal(services, acme, "A", "100000", stage="Lead")
    put(services, "USD", "2026-11-20", "34.20")
    summary = digest_summary(services, admin)
    assert "≈" not in summary and "exchange rate" not in summary


def test_conversion_is_exact_and_rounded_only_when_shown():
    rate, big = Decimal("9999999.99999999"), Decimal("9999999999999.99")  # the largest of each
    book = RateBook("TRY", {"USD": (rate, date(2026, 11, 20))})
    totals = {"USD": (big, Decimal("0.01")), "TRY": (Decimal("0.4999999998"), Decimal(0))}
    [line] = converted_lines(EN, book, totals)
    # exactly 99,999,999,999,999,800,000.4999999999: 30 digits, so Decimal's default 28 would
    # round it to ….50000000 first and then show ₺…800,001
    assert line.startswith("≈ ₺99,999,999,999,999,800,000 in TRY (weighted ≈ ₺100,000)")


def test_half_a_lira_rounds_up_when_shown():
    book = RateBook("TRY", {"USD": (Decimal("0.5"), date(2026, 11, 20))})
    [line] = converted_lines(TR, book, {"USD": (Decimal(1), Decimal(3))})
    assert line.startswith("TRY olarak ≈ ₺1 (ağırlıklı ≈ ₺2)")
