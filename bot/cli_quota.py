"""``crm-bot quota set REP PERIOD AMOUNT [--currency C]`` and ``quota list [--period P]``: the
sales quotas the forecast is measured against. Like rates, they are set by the operator at the
terminal (the CLI is the admin's tool), and every write is audited with the CLI as the actor.
A period is a month (2026-11) or a quarter (2026-Q4); the amount is exact, in the currency
given (default ``CRM_CURRENCY``); setting a quota again replaces it.
"""

from __future__ import annotations

import argparse
from typing import Any

from babel.numbers import list_currencies

from bot.errors import Refusal
from handlers.kit import Services, Translator
from handlers.money import MAX_AMOUNT, parse_amount, places
from storage import quotas, reps
from storage.db import Actor
from storage.folding import fold


def add_parsers(sub: Any) -> None:
    cmd = sub.add_parser("quota", help="sales quotas per rep and month or quarter")
    quota = cmd.add_subparsers(dest="quota_command")
    put = quota.add_parser("set", help="e.g. quota set 'Ayşe Yılmaz' 2026-Q4 1500000")
    put.add_argument("rep")
    put.add_argument("period", help="YYYY-MM or YYYY-Q1..Q4")
    put.add_argument("amount")
    put.add_argument("--currency", help="ISO code (default: CRM_CURRENCY)")
    show = quota.add_parser("list", help="the quotas set")
    show.add_argument("--period", help="YYYY-MM or YYYY-Q1..Q4")


def _period(text: str) -> str:
    period = quotas.period_of(text)
    if period is None:
        raise Refusal("quota.bad_period", period=text)
    return period


def run(args: argparse.Namespace, services: Services, t: Translator) -> int:
    if args.quota_command is None:
        raise Refusal("quota.usage")
    if args.quota_command == "list":
        return _list(services, t, _period(args.period) if args.period else None)
    period = _period(args.period)
    currency = (args.currency or services.settings.crm_currency).strip().upper()
    if currency not in list_currencies():
        raise Refusal("quota.bad_currency", code=args.currency)
    read = parse_amount([args.amount], currency)
    amount = read[1] if read and read[0] == 1 and read[2] == currency else None
    step = 1 if amount is None else amount.scaleb(places(currency))
    if amount is None or not 0 < amount <= MAX_AMOUNT or step != step.to_integral_value():
        raise Refusal("quota.bad_amount", amount=args.amount, currency=currency)
    actor = Actor(None, "cli", services.clock())
    with services.db.session(write=True, actor=actor) as session:
        rep = next((r for r in reps.all_reps(session) if fold(r.name) == fold(args.rep)), None)
        if rep is None or rep.id is None:
            raise Refusal("quota.no_rep", name=args.rep)
        before = quotas.put(session, rep.id, period, amount, currency, services.clock())
        name = rep.name
    values = dict(rep=name, period=period, amount=t.money(amount, currency))
    if before is None:
        print(t("quota.set", **values))
    else:
        print(t("quota.replaced", before=t.money(before.amount, before.currency), **values))
    return 0


def _list(services: Services, t: Translator, period: str | None) -> int:
    with services.db.session() as session:
        found = quotas.listed(session, period)
        names = reps.names(session, {q.rep_id for q in found})
    if not found:
        print(t("quota.none"))
        return 0
    for q in found:
        amount = t.money(q.amount, q.currency)
        print(t("quota.row", period=q.period, rep=names.get(q.rep_id, "?"), amount=amount))
    return 0
