"""A command's scope reads only its rep's part of the reporting tree (``reps.reports_of``,
``reps.teammates``); the reports still walk the whole tree (``reps.below``). Both must name
the same people, a cycle included, on either engine."""

from __future__ import annotations

from sqlmodel import update

from handlers.kit import Services
from storage import reps
from storage.models import Rep
from tests.conftest import add_rep


def test_one_heads_chain_is_the_whole_trees_walk(services: Services):
    top = add_rep(services, "Top", role="manager")
    mid = add_rep(services, "Mid", role="manager", manager_id=top.id)
    other = add_rep(services, "Other", role="manager", manager_id=top.id)
    low = [add_rep(services, f"Low {i}", manager_id=mid.id) for i in range(3)]
    deep = add_rep(services, "Deep", manager_id=low[0].id)
    add_rep(services, "Elsewhere")
    a = add_rep(services, "Loop A", role="manager")
    b = add_rep(services, "Loop B", role="manager", manager_id=a.id)
    with services.db.session(write=True) as s:
        s.execute(update(Rep).where(Rep.id == a.id).values(manager_id=b.id))
    with services.db.session() as s:
        tree = reps.managers(s)
        for rep_id in tree:
            assert reps.reports_of(s, rep_id) == reps.below(tree, rep_id)
        assert reps.reports_of(s, top.id) == {mid.id, other.id, deep.id, *(r.id for r in low)}
        assert reps.reports_of(s, a.id) == {b.id}  # the cycle ends; a is not its own report
        assert reps.teammates(s, mid.id) == {r.id for r in low}
        assert reps.teammates(s, deep.id) == frozenset()
