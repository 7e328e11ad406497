"""Exchange rates: the rate in force on a day, kept exactly, and ``crm-bot rates
set|list|import`` with every refusal writing nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from handlers.kit import Services
from storage import rates
from storage.models import AuditEvent, ExchangeRate
from tests.conftest import count, rows

AT = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


@pytest.fixture
def cli(services: Services, crm_bot):
    """``crm-bot`` on the test's database."""
    return lambda *args: crm_bot(*args, db=services.settings.crm_database_url)


def put(services: Services, currency: str, day: str, rate: str, base: str = "TRY") -> None:
    with services.db.session(write=True) as s:
        rates.put(s, base, currency, date.fromisoformat(day), Decimal(rate), "test", AT)


def in_force(services: Services, day: str, base: str = "TRY") -> dict[str, tuple[str, str]]:
    with services.db.session() as s:
        found = rates.in_force(s, base, date.fromisoformat(day))
    return {c: (str(r.rate), r.valid_from.isoformat()) for c, r in found.items()}


def test_the_rate_in_force_is_the_latest_valid_on_or_before_the_day(services):
    put(services, "USD", "2026-11-20", "34.20")
    put(services, "USD", "2026-11-24", "34.50")
    put(services, "EUR", "2026-11-22", "36.10")
    put(services, "USD", "2026-11-21", "1.08", base="EUR")  # another base: never mixed in
    assert in_force(services, "2026-11-19") == {}
    assert in_force(services, "2026-11-20") == {"USD": ("34.2", "2026-11-20")}
    assert in_force(services, "2026-11-23") == {
        "EUR": ("36.1", "2026-11-22"),
        "USD": ("34.2", "2026-11-20"),
    }
    assert in_force(services, "2026-11-24")["USD"] == ("34.5", "2026-11-24")
    assert in_force(services, "2030-01-01")["USD"] == ("34.5", "2026-11-24")


@pytest.mark.parametrize("rate", ["0.00000001", "34.12345678", "9999999.99999999", "10000000"])
def test_rates_are_stored_exactly_as_integers(services, rate):
    put(services, "USD", "2026-11-20", rate)
    [row] = rows(services, ExchangeRate)
    assert row.rate == Decimal(rate) and isinstance(row.rate_units, int)
    with services.db.engine.connect() as conn:  # the column itself holds an integer
        raw = conn.execute(text("SELECT rate_units FROM exchangerate")).scalar_one()
    assert raw == int(Decimal(rate) * 10**8) and isinstance(raw, int)


def test_set_list_and_replace_with_an_audit_trail(services, cli):
    done = cli("rates", "set", "usd", "34.20", "--date", "2026-11-20")
    assert done.returncode == 0 and done.stdout == "Set: 1 USD = 34.2 TRY from 2026-11-20.\n"
    done = cli("rates", "set", "USD", "34,25", "--date", "2026-11-20")
    assert "1 USD = 34.25 TRY from 2026-11-20 (it was 34.2)" in done.stdout
    assert cli("rates", "set", "EUR", "36.5", "--date", "2026-11-24").returncode == 0
    assert count(services, ExchangeRate) == 2
    listed = cli("rates", "list", "--date", "2026-11-23").stdout.splitlines()
    assert listed[0] == "Exchange rates to TRY in force on 2026-11-23:"
    assert listed[1].startswith("  1 USD = 34.25 TRY · from 2026-11-20 · set by cli, ")
    assert len(listed) == 2
    later = cli("rates", "list", "--date", "2026-11-24").stdout
    assert "1 EUR = 36.5 TRY · from 2026-11-24" in later and "1 USD = 34.25" in later
    before = cli("rates", "list", "--date", "2026-11-19").stdout
    assert before.startswith("No exchange rates to TRY in force on 2026-11-19.")
    events = [e for e in rows(services, AuditEvent) if e.entity == "exchangerate"]
    assert [(e.action, e.platform) for e in events] == [
        ("create", "cli"),
        ("update", "cli"),
        ("create", "cli"),
    ]
    assert events[1].changes["rate_units"] == [3420000000, 3425000000]


def test_the_list_reads_in_turkish(services, cli, monkeypatch):
    cli("rates", "set", "USD", "34.20", "--date", "2026-11-20")
    monkeypatch.setenv("CRM_LANGUAGE", "tr")
    listed = cli("rates", "list", "--date", "2026-11-21").stdout
    assert listed.startswith("2026-11-21 tarihinde geçerli TRY kurları:\n")
    assert "1 USD = 34,2 TRY · 2026-11-20 tarihinden itibaren · cli tarafından" in listed
    refused = cli("rates", "set", "TRY", "1")
    assert refused.stderr.startswith("TRY ana para birimi (CRM_CURRENCY)")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("TRY", "1"), "TRY is the base currency (CRM_CURRENCY)"),
        (("XYZ", "3"), '"XYZ" is not a currency code'),
        (("USD", "0"), "A rate of 0 TRY per USD cannot be right"),
        (("USD", "-1"), '"-1" is not a rate'),
        (("USD", "1.123456789"), "with at most 8 decimals"),
        (("USD", "10000000.01"), "at most 10,000,000"),
        (("USD", "1,234.5"), '"1,234.5" is not a rate'),
        (("USD", "abc"), '"abc" is not a rate'),
        (("USD", "34.2", "--date", "24/11/2026"), '"24/11/2026" is not a date'),
        (("USD", "34.2", "--date", "2026-02-30"), '"2026-02-30" is not a date'),
    ],
)
def test_set_refuses_and_writes_nothing(services, cli, args, said):
    done = cli("rates", "set", *args)
    assert done.returncode == 2 and said in done.stderr and done.stdout == ""
    assert "Traceback" not in done.stderr
    assert count(services, ExchangeRate) == 0
    assert not [e for e in rows(services, AuditEvent) if e.entity == "exchangerate"]


def test_a_big_jump_is_questioned_and_force_accepts_it(services, cli):
    cli("rates", "set", "USD", "34.20", "--date", "2026-11-20")
    done = cli("rates", "set", "USD", "342", "--date", "2026-11-24")
    assert done.returncode == 2
    assert "342 TRY per USD is far from the rate in force (34.2 from 2026-11-20)" in done.stderr
    assert count(services, ExchangeRate) == 1
    assert cli("rates", "set", "USD", "342", "--date", "2026-11-24", "--force").returncode == 0
    assert in_force(services, "2026-11-24")["USD"] == ("342", "2026-11-24")


def test_rates_without_a_sub_command_says_how(cli):
    done = cli("rates")
    assert done.returncode == 2 and done.stderr.startswith("Usage: crm-bot rates set USD 34.20")


def write(tmp_path: Path, content: str | bytes, name: str = "rates.csv") -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def test_import_reads_turkish_headers_semicolons_and_turkish_numbers(services, cli, tmp_path):
    put(services, "USD", "2026-11-22", "34.00")
    body = "Para Birimi;Kur;Tarih\nUSD;34,40;22.11.2026\nGBP;43;2026-11-22\n\nEUR;36,1;\n"
    done = cli("rates", "import", write(tmp_path, body), "--date", "2026-11-23")
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "Imported 3 rates from rates.csv (1 of them replaced a rate of the same day).\n"
    )
    assert in_force(services, "2026-11-23") == {
        "EUR": ("36.1", "2026-11-23"),
        "GBP": ("43", "2026-11-22"),
        "USD": ("34.4", "2026-11-22"),
    }
    sources = {r.currency: r.source for r in rows(services, ExchangeRate)}
    assert sources == {
        "USD": "import rates.csv",
        "GBP": "import rates.csv",
        "EUR": "import rates.csv",
    }


def test_import_is_all_or_nothing_and_names_every_bad_line(services, cli, tmp_path):
    body = (
        "currency,rate,date\n"
        "USD,34.40,2026-11-22\n"  # fine, yet not imported: the file is all or nothing
        "TRY,1,2026-11-22\n"
        "EUR,x,2026-11-22\n"
        "USD,34.50,2026-11-22\n"
        "GBP,43,2026-13-01\n"
        "ABC,1,2026-11-22\n"
        "USD,34.40,2026-11-22\n"  # a repeat that agrees is fine
    )
    done = cli("rates", "import", write(tmp_path, body))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "line 3: TRY is the base currency (CRM_CURRENCY): its rate is always 1, there is "
        "nothing to set.",
        'line 4: "x" is not a rate. Write how many TRY one unit is worth, e.g. crm-bot rates '
        "set USD 34.20",
        "line 5: the same currency and date as line 2, with another rate.",
        'line 6: "2026-13-01" is not a date; write it as YYYY-MM-DD, e.g. 2026-11-24.',
        'line 7: "ABC" is not a currency code; use an ISO code such as USD, EUR or GBP.',
        "5 bad lines in rates.csv: nothing was imported. Fix them and import the whole file again.",
    ]
    assert count(services, ExchangeRate) == 0


def test_an_import_line_far_off_the_rate_in_force_is_refused_unless_forced(services, cli, tmp_path):
    put(services, "USD", "2026-11-20", "34.20")
    path = write(tmp_path, "currency,rate,date\nUSD,3.42,2026-11-22\n")
    done = cli("rates", "import", path)
    assert done.returncode == 2 and "line 2: 3.42 TRY per USD is far from" in done.stderr
    assert count(services, ExchangeRate) == 1
    assert cli("rates", "import", path, "--force").returncode == 0
    assert count(services, ExchangeRate) == 2


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (
            "name,value\nUSD,34\n",
            "rates.csv needs the columns currency and rate (date is optional); found: name, value.",
        ),
        ("currency,rate\n\n", "rates.csv holds no rates."),
        (
            b"currency,rate\nUSD,34\n\xff\xfe,1\n",
            "rates.csv is not UTF-8 text (line 3 does not decode)",
        ),
        ('currency,rate\nUSD,"34\n', "rates.csv, line 2: not readable as CSV"),
    ],
)
def test_a_file_that_cannot_be_read_is_one_clear_line(services, cli, tmp_path, content, said):
    done = cli("rates", "import", write(tmp_path, content))
    assert done.returncode == 2 and done.stderr.startswith(said), done.stderr
    assert count(services, ExchangeRate) == 0


def test_an_oversized_field_is_one_clear_line(services, cli, tmp_path):
    done = cli("rates", "import", write(tmp_path, "currency,rate\nUSD," + "9" * 200_000 + "\n"))
    assert done.returncode == 2 and done.stderr.startswith("rates.csv, line 2: not readable as CSV")


def test_a_missing_file_is_named(cli, tmp_path):
    done = cli("rates", "import", str(tmp_path / "nope.csv"))
    assert done.returncode == 2 and "There is no file" in done.stderr and "nope.csv" in done.stderr
