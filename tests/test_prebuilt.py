"""Statements built once (``storage.prebuilt``) keep every rule of a statement built per call.

Why: the scope's and the archive's criteria are added to a built-once statement once and
remembered per scope; a memo keyed wrongly would show one rep what another's scope allows, or
an archived record. Each check here runs the same module-level statement under two scopes in a
row, both orders, so a kept result of the first cannot pass for the second.
"""

from __future__ import annotations

from datetime import timedelta

from handlers.kit import Services
from storage import customers, deals
from storage.access import Scope, restrict
from storage.models import Contact, Deal
from storage.types import utcnow
from tests.conftest import add_customer, add_deal, add_rep


def _open(services: Services, scope: Scope, customer_id: int) -> tuple[int, int]:
    """(open deals, contacts) of the customer as this scope reads them."""
    with services.db.session() as session:
        restrict(session, scope)
        seen = deals.open_deals(session, customer_id=customer_id, limit=5)
        people = customers.contacts(session, customer_id)
        return len(seen), len(people)


def test_a_built_once_statement_reads_within_each_scope_in_turn(services: Services) -> None:
    ayse = add_rep(services, "Ayşe Yılmaz")
    burak = add_rep(services, "Burak Öz")
    theirs = add_customer(services, "Anadolu Lojistik", owner_id=ayse.id)
    add_deal(services, theirs, "Fleet extension", "60000", owner_id=ayse.id)
    with services.db.session(write=True) as session:
        session.add(Contact(customer_id=theirs.id, name="Selin Kurt"))
    own = Scope(ayse.id or 0, frozenset({ayse.id or 0}), frozenset({ayse.id or 0}))
    other = Scope(burak.id or 0, frozenset({burak.id or 0}), frozenset({burak.id or 0}))
    assert theirs.id is not None
    for first, second in ((own, other), (other, own)):
        expected = {own: (1, 1), other: (0, 0)}
        assert _open(services, first, theirs.id) == expected[first]
        assert _open(services, second, theirs.id) == expected[second]


def test_a_built_once_statement_leaves_archived_deals_out(services: Services) -> None:
    customer = add_customer(services, "Boğaziçi Danışmanlık")
    kept = add_deal(services, customer, "Support", "1000")
    gone = add_deal(services, customer, "Licences", "2000")
    with services.db.session(write=True) as session:
        deal = session.get(Deal, gone.id)
        assert deal is not None
        deal.archived_at = utcnow() - timedelta(minutes=1)
        session.add(deal)
    assert customer.id is not None
    for _ in range(2):  # the second run reads through the remembered statement
        with services.db.session() as session:
            found = deals.open_deals(session, customer_id=customer.id, limit=5)
            assert [d.id for d in found] == [kept.id]
