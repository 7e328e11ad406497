"""Who may read and change which records, enforced in the one place every command goes through:
its session.

A command's session carries a ``Scope`` (``restrict``). Then:
- every ORM query it runs (a lookup by id, phone or e-mail, a list, a card, a total, the
  duplicate scan) sees only the records the scope may read: customers and deals by their owner,
  tasks by their assignee, interactions, contacts and contact points by their customer. A record
  outside the scope is not refused, it is absent, so its existence is never confirmed. (A few
  hot reads go past the criteria and check the owners on the rows they get: ``readable``);
- every flush checks each new, changed or deleted record against what the scope may change,
  and raises ``Forbidden`` (the transaction rolls back) naming the record and its owner.

Unowned records are everyone's to read and to change (a fresh lead must be picked up). Changing
an owner or an assignee needs ``reassign`` (managers and admins), and the new owner must be one
the scope may change. A query that must see past the scope (the shared search index, "a record
with this phone exists, owned by …") says so with ``unscoped``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import event, exists, inspect, or_, select
from sqlalchemy.orm import ORMExecuteState, Session, aliased, with_loader_criteria
from sqlalchemy.orm.base import NO_VALUE
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql import Executable

from storage.models import Consent, Contact, ContactPoint, Customer, Deal, Interaction, Task
from storage.prebuilt import PREBUILT

_SCOPE = "crm_scope"
_UNSCOPED = "crm_unscoped"
Statement = TypeVar("Statement", bound=Executable)


@dataclass(frozen=True)
class Scope:
    rep_id: int
    reads: frozenset[int] | None  # owners whose records may be read; None: everyone's
    writes: frozenset[int] | None  # owners whose records may be changed; None: everyone's
    reassign: bool = False  # may change an owner or an assignee

    def can_read(self, owner_id: int | None) -> bool:
        return owner_id is None or self.reads is None or owner_id in self.reads

    def can_change(self, owner_id: int | None) -> bool:
        return owner_id is None or self.writes is None or owner_id in self.writes


class Forbidden(Exception):
    """A change to a record the scope may not change; ``owner_id`` is whom to ask."""

    def __init__(self, entity: str, entity_id: int | None, owner_id: int | None, why: str):
        super().__init__(f"{why}: {entity} #{entity_id} (owner {owner_id})")
        self.entity, self.entity_id, self.owner_id, self.why = entity, entity_id, owner_id, why


def restrict(session: Session, scope: Scope) -> None:
    """From now on this session reads and changes only what ``scope`` allows."""
    session.info[_SCOPE] = scope


@contextmanager
def reading_only(session: Session, reads: frozenset[int]) -> Iterator[None]:
    """For a while this session reads only ``reads``' records (and unowned ones) and changes
    nothing: what a job posts into a team's chat must not show other teams' records."""
    before = session.info.get(_SCOPE)
    session.info[_SCOPE] = Scope(0, reads, frozenset())
    try:
        yield
    finally:
        if before is None:
            session.info.pop(_SCOPE, None)
        else:
            session.info[_SCOPE] = before


def scope_of(session: Session) -> Scope | None:
    return session.info.get(_SCOPE)


def unscoped(statement: Statement) -> Statement:
    """This one query sees past the session's scope (it must not show what it finds)."""
    return statement.execution_options(**{_UNSCOPED: True})


def readable(session: Session, rows: Iterable[Any]) -> list[Any]:
    """Customers read past the scope (``unscoped``), as the scope's criteria would have
    returned them: those ``scope.can_read`` by their owner.

    Why not the criteria: their options cost a scoped select about as much again as the
    select itself (a phone look-up 140 -> 340 us), and these reads return a row or two to
    check. A row out of scope is dropped, and the session, whose identity map holds rows
    weakly, drops it with it: no later ``session.get`` hands it out unchecked."""
    scope = scope_of(session)
    if scope is None or scope.reads is None:
        return list(rows)
    return [row for row in rows if scope.can_read(row.owner_id)]


def _visible(owner_column: Any, reads: frozenset[int]) -> Any:
    return or_(owner_column.in_(sorted(reads)), owner_column.is_(None))


def _of_visible_customer(model: Any, reads: frozenset[int]) -> Any:
    """The row's own customer is visible: one primary-key probe per row, correlated.

    Why not ``customer_id IN (SELECT id FROM customer WHERE visible)``: SQLite (and PostgreSQL
    on a hash plan) builds that list first, every visible customer, unowned ones included,
    for each statement; and SQLite then drives a phone look-up on contact points from that
    list instead of from the (kind, value) index. That walk grew with the customer table."""
    holder = _HOLDERS[model]
    return exists(
        select(holder.id).where(holder.id == model.customer_id, _visible(holder.owner_id, reads))
    ).correlate(model)


# One alias of the customer per model, shared by every scope's criteria: adapting an alias's
# columns is what made building a scope's criteria cost ~17 ms, paid again by each new scope
# (40 teams' and managers' scopes in a burst); the alias holds no per-scope state.
_HOLDERS = {model: aliased(Customer) for model in (Interaction, Contact, ContactPoint, Consent)}


@lru_cache(maxsize=1024)
def _criteria(reads: frozenset[int]) -> tuple[Any, ...]:
    """Built once per set of readable owners and reused by every statement of every session
    with that scope: building them (an ``aliased`` customer per model, the IN lists) cost
    ~20 ms, paid by each of a report's dozen statements (a manager's summary spent more time
    here than in PostgreSQL). The options hold no per-session state, so sharing is safe, and
    the same alias each time keeps the statements' compiled-SQL cache keys stable."""
    return (
        with_loader_criteria(Customer, _visible(Customer.owner_id, reads), include_aliases=True),
        with_loader_criteria(Deal, _visible(Deal.owner_id, reads), include_aliases=True),
        with_loader_criteria(Task, Task.assignee_id.in_(sorted(reads)), include_aliases=True),
        *(
            with_loader_criteria(model, _of_visible_customer(model, reads))
            for model in (Interaction, Contact, ContactPoint, Consent)
        ),
    )


@lru_cache(maxsize=4096)
def _scoped(statement: Any, reads: frozenset[int]) -> Any:
    """A built-once statement (``storage.prebuilt``) with one scope's criteria, kept: the same
    object each time, so SQLAlchemy computes its cache key once."""
    return statement.options(*_criteria(reads))


def _on_execute(state: ORMExecuteState) -> None:
    scope = state.session.info.get(_SCOPE)
    if scope is None or scope.reads is None or not state.is_select:
        return
    if state.execution_options.get(_UNSCOPED) or state.is_column_load or state.is_relationship_load:
        return
    if state.execution_options.get(PREBUILT):
        state.statement = _scoped(state.statement, scope.reads)
    else:
        state.statement = state.statement.options(*_criteria(scope.reads))


def _before(obj: Any, key: str) -> Any:
    """An attribute's value as loaded, before this transaction changed it."""
    history = inspect(obj).attrs[key].history
    if history.deleted:
        return history.deleted[0]
    return getattr(obj, key)


_UNKNOWN = object()


def _stored(state: Any, key: str) -> Any:
    """An attribute's value as last loaded or flushed, without a load; ``_UNKNOWN`` if the
    state does not hold it."""
    if key in state.committed_state:
        value = state.committed_state[key]
        return _UNKNOWN if value is NO_VALUE else value
    return state.dict.get(key, _UNKNOWN)


def _customer_owner(session: Session, customer_id: int | None) -> int | None:
    """The customer's owner as stored. The command has nearly always loaded the customer
    already (it named it): then its owner as loaded in this transaction, not one more SELECT
    per flush. A change of owner not flushed yet does not count, as the SELECT would not see
    it either."""
    if customer_id is None:
        return None
    loaded = session.identity_map.get(identity_key(Customer, customer_id))
    if loaded is not None:
        state = inspect(loaded)
        owner, archived = _stored(state, "owner_id"), _stored(state, "archived_at")
        # an archived one is out of the SELECT's sight (``storage.archive``): ask it as before
        if owner is not _UNKNOWN and archived is None and not state.was_deleted:
            return owner
    with session.no_autoflush:
        found = session.execute(
            unscoped(select(Customer.owner_id).where(Customer.id == customer_id))
        ).first()
    return found[0] if found else None


def _check(session: Session, scope: Scope, obj: Any, new: bool) -> None:
    entity = getattr(obj, "__tablename__", type(obj).__name__)
    owner_key = {"customer": "owner_id", "deal": "owner_id", "task": "assignee_id"}.get(entity)
    entity_id = getattr(obj, "id", None)
    if owner_key is not None:
        was = None if new else _before(obj, owner_key)
        now = getattr(obj, owner_key)
        if not new and not scope.can_change(was):
            raise Forbidden(entity, entity_id, was, "change")
        # Creating a record for oneself (or unowned) is everyone's; giving it to someone else,
        # or moving an existing one, is a reassignment.
        moved = now not in (None, scope.rep_id) if new else now != was
        if moved and not (scope.reassign and scope.can_change(now)):
            raise Forbidden(entity, entity_id, now if new else was, "reassign")
        if entity == "deal" and new:
            owner = _customer_owner(session, obj.customer_id)
            if not scope.can_change(owner):
                raise Forbidden("customer", obj.customer_id, owner, "change")
    elif entity in ("interaction", "contact", "contactpoint", "consent"):
        owner = _customer_owner(session, obj.customer_id)
        if not scope.can_change(owner):
            raise Forbidden("customer", obj.customer_id, owner, "change")
    elif entity == "rep" and obj.id != scope.rep_id and scope.writes is not None:
        raise Forbidden(entity, entity_id, obj.id, "change")


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    scope = session.info.get(_SCOPE)
    if scope is None or scope.writes is None:  # unscoped, or an admin: nothing to refuse
        return
    for obj in session.new:
        _check(session, scope, obj, new=True)
    for obj in [*session.dirty, *session.deleted]:
        if obj in session.deleted or session.is_modified(obj):
            _check(session, scope, obj, new=False)


def install_scoping(session_class: type[Session]) -> None:
    for name, fn in (("do_orm_execute", _on_execute), ("before_flush", _before_flush)):
        if not event.contains(session_class, name, fn):
            event.listen(session_class, name, fn)
