"""Start-up's last step (``bot.settle``): what the process loaded is frozen out of the garbage
collector's walks, and what is made afterwards is collected as usual."""

from __future__ import annotations

import gc

from bot.settle import settle


def test_settle_freezes_what_is_alive_and_later_garbage_is_still_collected() -> None:
    gc.unfreeze()
    settle()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # catalogs, Babel's data, the libraries: a bot's worth

        class Cycle:
            pass

        a, b = Cycle(), Cycle()
        a.other, b.other = b, a  # type: ignore[attr-defined]
        del a, b
        assert gc.collect() >= 2  # made after settling: collected as usual
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
