"""Won and lost deals closed in a period, grouped by rep, manager, regional office or product.

A won deal is valued at its closed amount (its amount when none was recorded). A lost deal is
valued at its amount, or at its product's list price (in the product's currency) where it has
none (no amount, or 0 as Maven writes it): ``lost_list_priced`` counts those, so the answer
can say which. A lost deal with neither counts in the win rate by count and adds nothing by
value.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import case, func, null
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import Deal, Product, Rep, Stage
from storage.reports import Scope, owned_by, within
from storage.reports.money import Amounts, Rates, Tally, day_of, rate_day
from storage.types import money_sum

By = Literal["all", "rep", "manager", "region", "product"]


@dataclass(frozen=True)
class Outcome:
    key: int | str | None  # the rep, manager or product id, the office name; None: unset
    label: str | None
    won: int
    lost: int
    won_value: Amounts
    lost_value: Amounts
    lost_list_priced: int

    @property
    def win_rate(self) -> float | None:
        closed = self.won + self.lost
        return self.won / closed if closed else None

    @property
    def value_rate(self) -> float | None:
        """Won value ÷ (won + lost value): on the converted figures, or on the amounts
        themselves when all are in one currency that has no rate."""
        won, lost = self.won_value.converted, self.lost_value.converted
        currencies = {c for c, _ in (*self.won_value.by_currency, *self.lost_value.by_currency)}
        if (won is None or lost is None) and len(currencies) == 1:
            won = sum((v for _, v in self.won_value.by_currency), Decimal(0))
            lost = sum((v for _, v in self.lost_value.by_currency), Decimal(0))
        if won is None and lost is None:
            return None
        whole = (won or 0) + (lost or 0)
        return float((won or 0) / whole) if whole else None


_OWNER = aliased(Rep, name="owner")
_BOSS = aliased(Rep, name="boss")
_GROUPS: dict[str, tuple[Any, Any]] = {
    "all": (null(), null()),
    # "+ 0": grouped by owner, SQLite would read every deal in owner order (the owner index)
    # rather than the period's closed deals by their close time, then sort the few groups.
    "rep": (col(Deal.owner_id) + 0, _OWNER.name),
    "manager": (_OWNER.manager_id, _BOSS.name),
    "region": (_OWNER.region, _OWNER.region),
    "product": (col(Deal.product_id), col(Product.name)),
}


def outcomes(
    session: Session, start: datetime, end: datetime, scope: Scope, by: By = "all", *, base: str
) -> list[Outcome]:
    """One ``Outcome`` per group (one in all for ``by="all"``), biggest closed count first."""
    key, label = _GROUPS[by]
    won, lost = col(Stage.is_won), col(Stage.is_lost)
    no_amount = func.coalesce(Deal.amount, 0) == 0  # Maven writes a lost deal's value as 0
    priced = no_amount & col(Product.price).isnot(None)
    currency = case((lost & priced, col(Product.currency)), else_=col(Deal.currency))
    won_value = case((won, func.coalesce(Deal.closed_amount, Deal.amount)))
    lost_value = case((lost & priced, Product.price), (lost, Deal.amount))
    day = rate_day(currency, func.date(Deal.closed_at), base)
    query = (
        select(
            key,
            label,
            currency,
            day,
            func.sum(case((won, 1), else_=0)),
            func.sum(case((lost, 1), else_=0)),
            *money_sum(won_value),
            *money_sum(lost_value),
            func.sum(case((lost & priced, 1), else_=0)),
        )
        .select_from(Deal)
        .join(Stage, col(Stage.id) == Deal.stage_id)
        .outerjoin(Product, col(Product.id) == Deal.product_id)
        .outerjoin(_OWNER, _OWNER.id == Deal.owner_id)
        .outerjoin(_BOSS, _BOSS.id == _OWNER.manager_id)
        .where(
            col(Deal.archived_at).is_(None),
            won | lost,
            within(Deal.closed_at, start, end),
            owned_by(Deal.owner_id, scope),
        )
        .group_by(*((key, label) if by != "all" else ()), currency, day)
    )
    rates = Rates(session, base)
    groups: dict[Any, dict[str, Any]] = defaultdict(
        lambda: {"won": 0, "lost": 0, "wv": Tally(rates), "lv": Tally(rates), "priced": 0}
    )
    for k, name, cur, d, n_won, n_lost, wh, wl, lh, ll, n_priced in session.exec(query):
        g = groups[k]
        g["label"] = name
        g["won"] += int(n_won or 0)
        g["lost"] += int(n_lost or 0)
        g["wv"].add(cur, day_of(d), wh, wl)
        g["lv"].add(cur, day_of(d), lh, ll)
        g["priced"] += int(n_priced or 0)
    found = [
        Outcome(
            k,
            g.get("label"),
            g["won"],
            g["lost"],
            g["wv"].amounts(),
            g["lv"].amounts(),
            g["priced"],
        )
        for k, g in groups.items()
    ]
    if by == "all" and not found:
        found = [Outcome(None, None, 0, 0, Amounts(base), Amounts(base), 0)]
    return sorted(found, key=lambda o: (-(o.won + o.lost), str(o.label)))
