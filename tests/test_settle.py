"""Start-up's last step (``bot.settle``): what the process loaded is frozen out of the garbage
collector's walks, and what is made afterwards is collected as usual."""

from __future__ import annotations

import gc

from bot.settle import settle


class Cycle:
    other: Cycle


def _walked(obj: object) -> bool:
    """Whether a collection still walks ``obj``: the frozen generation is not in any list
    ``gc.get_objects`` returns. (Compared by identity, not by the frozen count: another
    thread of the suite may free a frozen object at any moment, which lowers the count.)"""
    return any(o is obj for o in gc.get_objects())


def test_settle_freezes_what_is_alive_and_later_garbage_is_still_collected() -> None:
    gc.unfreeze()
    loaded = Cycle()  # alive at start-up, as the catalogs and the libraries are
    assert _walked(loaded)
    settle()
    try:
        assert gc.get_freeze_count() > 10_000  # catalogs, Babel's data, the libraries
        assert not _walked(loaded)

        a, b = Cycle(), Cycle()
        a.other, b.other = b, a
        assert _walked(a)
        del a, b
        assert gc.collect() >= 2  # made after settling: collected as usual
        assert not _walked(loaded)  # and a collection leaves what was frozen frozen
    finally:
        gc.unfreeze()
