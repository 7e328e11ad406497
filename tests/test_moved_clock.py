"""The wall clock the suite runs under: the real one, or where ``dev.py clocks`` moved it."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.conftest import MOVED_CLOCK


def test_the_wall_clock_is_where_the_run_put_it(tmp_path: Path) -> None:
    marker = tmp_path / "now"
    marker.write_text("")
    kernel = datetime.fromtimestamp(os.stat(marker).st_mtime, UTC)  # the real time, unmoved
    now = datetime.now(UTC)
    if MOVED_CLOCK:
        start = datetime.fromisoformat(MOVED_CLOCK)
        assert start <= now < start + timedelta(hours=1), (now, start)
    else:
        assert abs(now - kernel) < timedelta(minutes=1), (now, kernel)
