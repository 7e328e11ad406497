"""``crm-bot rates set|list|import``: exchange rates to the base currency (``CRM_CURRENCY``).

A rate given without ``--date`` is valid from today in ``CRM_TIMEZONE``. A rate more than
5× above or below the one in force the day before is refused as a likely typo unless
``--force``. An import is all or nothing: every line is checked first, each bad line is
reported by number with its reason, and then either every rate is written in one transaction
or none is. Columns (header names in English or Turkish, any order, comma, semicolon or tab):
currency, rate and optionally date (YYYY-MM-DD or DD.MM.YYYY; without it, ``--date`` or
today). Two lines for the same currency and day are refused unless they agree. Writes run
with the CLI as the audited actor, so the audit trail records every rate and what it replaced.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.errors import Refusal
from handlers.fx import RateProblem, check_jump, currency_code, parse_day, parse_rate, shown
from handlers.kit import Services, Translator, is_keyword
from storage import rates
from storage.db import Actor

COLUMNS = ("currency", "rate", "date")  # kw.fx.<column>: the header names read


def add_parsers(sub: Any) -> None:
    cmd = sub.add_parser("rates", help="exchange rates to the base currency (CRM_CURRENCY)")
    rate = cmd.add_subparsers(dest="rates_command")
    put = rate.add_parser("set", help="set a currency's rate, e.g. rates set USD 34.20")
    put.add_argument("currency")
    put.add_argument("rate", help="base-currency units per one unit, e.g. 34.20")
    put.add_argument("--date", metavar="YYYY-MM-DD", help="valid from (default: today)")
    put.add_argument("--force", action="store_true", help="accept a large jump")
    show = rate.add_parser("list", help="the rates in force on a day")
    show.add_argument("--date", metavar="YYYY-MM-DD", help="default: today")
    load = rate.add_parser("import", help="rates from a CSV file: currency, rate, date")
    load.add_argument("path")
    load.add_argument("--date", metavar="YYYY-MM-DD", help="for lines without a date")
    load.add_argument("--force", action="store_true", help="accept large jumps")


def run(args: argparse.Namespace, services: Services, t: Translator) -> int:
    command = args.rates_command
    if command is None:
        raise Refusal("rates.usage")
    settings = services.settings
    base = settings.crm_currency.upper()
    try:
        day = parse_day(args.date) if args.date else _today(services)
        if command == "list":
            return _list(services, t, base, day)
        if command == "set":
            return _set(args, services, t, base, day)
        return _import(args, services, t, base, day)
    except RateProblem as problem:
        raise Refusal(problem.key, **_values(t, problem.values)) from None


def _values(t: Translator, values: dict[str, Any]) -> dict[str, Any]:
    """Rates written the local way in a message."""
    return {k: shown(t, v) if isinstance(v, Decimal) else v for k, v in values.items()}


def _today(services: Services) -> date:
    return services.clock().astimezone(ZoneInfo(services.settings.crm_timezone)).date()


def _list(services: Services, t: Translator, base: str, day: date) -> int:
    with services.db.session() as session:
        found = rates.in_force(session, base, day)
    if not found:
        print(t("rates.none", date=day.isoformat(), base=base))
        return 0
    print(t("rates.list_header", base=base, date=day.isoformat()))
    for row in found.values():
        at = row.set_at.strftime("%Y-%m-%d %H:%M")
        values = dict(
            currency=row.currency, rate=shown(t, row.rate), base=base, source=row.source, at=at
        )
        print("  " + t("rates.row", date=row.valid_from.isoformat(), **values))
    return 0


def _set(args: argparse.Namespace, services: Services, t: Translator, base: str, day: date) -> int:
    currency = currency_code(args.currency, base)
    rate = parse_rate(args.rate, currency, base)
    actor = Actor(None, "cli", services.clock())
    with services.db.session(write=True, actor=actor) as session:
        if not args.force:
            check_jump(session, base, currency, day, rate)
        before = rates.put(session, base, currency, day, rate, "cli", services.clock())
    values = _values(t, dict(currency=currency, rate=rate, base=base, date=day.isoformat()))
    if before is None:
        print(t("rates.set", **values))
    else:
        print(t("rates.replaced", before=shown(t, before), **values))
    return 0


def _import(
    args: argparse.Namespace, services: Services, t: Translator, base: str, day: date
) -> int:
    path = Path(args.path)
    if not path.is_file():
        raise Refusal("rates.no_file", path=path)
    table = _rows(path.read_bytes(), path.name)
    found: dict[tuple[str, date], tuple[int, Decimal]] = {}
    problems: list[str] = []
    actor = Actor(None, "cli", services.clock())
    with services.db.session(write=True, actor=actor) as session:
        for line, cells in table:
            try:
                currency = currency_code(cells.get("currency", ""), base)
                rate = parse_rate(cells.get("rate", ""), currency, base)
                when = parse_day(cells["date"]) if cells.get("date") else day
                if (currency, when) in found and found[currency, when][1] != rate:
                    raise RateProblem("rates.twice", other=found[currency, when][0])
                if not args.force:
                    check_jump(session, base, currency, when, rate)
            except RateProblem as problem:
                problems.append(
                    t("rates.line", line=line, reason=t(problem.key, **_values(t, problem.values)))
                )
                continue
            found[currency, when] = (line, rate)
        if problems:
            for said in problems:
                print(said, file=sys.stderr)
            raise Refusal("rates.nothing_imported", count=len(problems), file=path.name)
        source = f"import {path.name}"[:80]
        replaced = sum(
            rates.put(session, base, currency, when, rate, source, services.clock()) is not None
            for (currency, when), (_line, rate) in found.items()
        )
    print(t.plural("rates.imported", len(found), file=path.name, replaced=replaced))
    return 0


def _rows(raw: bytes, name: str) -> list[tuple[int, dict[str, str]]]:
    """The file's data lines as (line number, column → cell), headers read in either language."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as bad:
        raise Refusal("rates.not_utf8", file=name, line=raw[: bad.start].count(b"\n") + 1) from None
    first = text.split("\n", 1)[0]
    delimiter = max(";\t,", key=first.count)  # header names hold no separators
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    table = []
    try:
        header = next(reader, [])
        names = [next((c for c in COLUMNS if is_keyword(h, f"kw.fx.{c}")), "") for h in header]
        if "currency" not in names or "rate" not in names:
            raise Refusal("rates.no_columns", file=name, found=", ".join(header) or "-")
        for cells in reader:
            if any(c.strip() for c in cells):
                table.append(
                    (reader.line_num, {n: c for n, c in zip(names, cells, strict=False) if n})
                )
    except csv.Error:  # an oversized field, a stray quote
        raise Refusal("rates.bad_csv", file=name, line=reader.line_num) from None
    if not table:
        raise Refusal("rates.empty", file=name)
    return table
