"""Report charts: the generic pictures (valid, phone-sized, deterministic PNGs; nothing drawn
when there is nothing to draw), the locale's number formats on them, and the chart each
kind attaches to a chat answer — never to its CSV — and writes with ``crm-bot report
--chart``."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select

from handlers.kit import Translator
from handlers.reports import charts
from handlers.reports.kind_charts import formatter
from storage.models import Deal, DealStageChange, Stage
from tests.conftest import Chat
from tests.test_reports import team  # noqa: F401  (a fixture)

WORDS = charts.Words("Won value by rep", "Nov 1, 2026 – Nov 30, 2026 · everyone", "TRY")
COUNT = formatter(Translator("en"), "count", "TRY")


def size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        return image.size


def test_bars_are_a_portrait_png_and_the_same_bytes_every_time() -> None:
    items = [(f"Rep {n}", float(n * 1000)) for n in range(1, 13)]
    first = charts.bars(WORDS, items, COUNT)
    assert first is not None and first == charts.bars(WORDS, items, COUNT)
    width, height = size(first)
    assert width == 900 and height > width  # upright, like the phone it is read on
    assert b"matplotlib" not in first  # no Software (nor time) stamp in the metadata


def test_trend_and_stacked_are_pngs_and_nothing_to_draw_is_no_chart() -> None:
    line = charts.trend(WORDS, [("Aug", 0.4), ("Sep", None), ("Oct", 0.5), ("Nov", 0.6)], COUNT)
    assert line is not None and size(line)[0] == 900
    parts = [("Committed", [5.0, 0.0]), ("Best case", [3.0, 4.0])]
    stack = charts.stacked(WORDS, ["Nov 2026", "Dec 2026"], parts, COUNT)
    assert stack is not None and size(stack)[0] == 900
    assert stack == charts.stacked(WORDS, ["Nov 2026", "Dec 2026"], parts, COUNT)
    assert charts.bars(WORDS, [], COUNT) is None
    assert charts.bars(WORDS, [("Rep", 0.0)], COUNT) is None
    assert charts.trend(WORDS, [("Nov", None)], COUNT) is None
    assert charts.stacked(WORDS, ["Nov"], [("Committed", [0.0])], COUNT) is None


def test_beyond_twelve_bars_counts_are_summed_into_others_and_rates_left_out() -> None:
    items = [(f"Rep {n}", 1.0) for n in range(20)]
    summed = charts.fold(items, "Others")
    assert len(summed) == 12 and summed[-1] == ("Others", 9.0)
    assert charts.fold(items, None) == items[:12]
    assert charts.fold(items[:12], "Others") == items[:12]


@pytest.mark.parametrize(
    ("language", "unit", "currency", "value", "label"),
    [
        ("tr", "money", "TRY", 1234567.4, "₺1.234.567"),
        ("en", "money", "GBP", 1234567.4, "£1,234,567"),
        ("tr", "share", "TRY", 2 / 3, "%66,7"),
        ("en", "share", "TRY", 2 / 3, "66.7%"),
        ("tr", "days", "TRY", 11.333, "11,3"),
        ("tr", "count", "TRY", 12345.0, "12.345"),
    ],
)
def test_values_on_a_chart_are_written_the_readers_way(language, unit, currency, value, label):
    assert formatter(Translator(language), unit, currency)(value) == label


def test_a_chat_report_carries_its_chart_and_its_csv_does_not(services, chat: Chat, team):  # noqa: F811
    reply = chat.say("/report winrate this month everyone")
    [chart] = reply.attachments
    assert (chart.filename, chart.mime, chart.title) == ("winrate.png", "image/png", "Win rate")
    assert size(chart.data)[0] == 900
    sheet = chat.press(reply, "CSV")
    assert [a.mime for a in sheet.attachments] == ["text/csv"]


def moved_through_stages(services) -> None:
    """Stays in Lead (4 days) and Qualified (7 days) ended in November, for ``cycle``."""
    with services.db.session(write=True) as s:
        deal = s.exec(select(Deal).where(Deal.title == "Open A")).one()
        stage = {x.name: x.id for x in s.exec(select(Stage))}
        for name, day in (("Lead", 2), ("Qualified", 6), ("Proposal", 13)):
            at = datetime(2026, 11, day, 9, tzinfo=UTC)
            s.add(DealStageChange(deal_id=deal.id, to_stage_id=stage[name], at=at))


@pytest.mark.parametrize(
    "typed",
    ["/rapor bu ay", "/rapor bu ay temsilci", "/rapor döngü bu ay", "/rapor kazanma bu ay ürün"],
)
def test_each_kind_in_turkish_has_a_chart(services, team, typed):  # noqa: F811
    moved_through_stages(services)
    [chart] = Chat(services, team["boss"]).say(typed.replace("bu ay", "bu ay ekip")).attachments
    assert chart.mime == "image/png" and size(chart.data)[0] == 900


def test_a_period_with_nothing_closed_has_no_chart(services, chat: Chat, team):  # noqa: F811
    reply = chat.say("/report winrate 2025-01 everyone")
    assert "Win rate" in reply.text and reply.attachments == []


def test_the_cli_writes_the_chart_to_a_file(services, team, crm_bot, tmp_path):  # noqa: F811
    db, out = services.settings.crm_database_url, tmp_path / "winrate.png"
    done = crm_bot("report", "winrate", "--period", "2026-11", "--chart", str(out), db=db)
    assert done.returncode == 0 and "Win rate by count: 75.0%" in done.stdout
    assert f"Chart written to {out}." in done.stderr
    assert size(Path(out).read_bytes())[0] == 900
    empty = crm_bot("report", "cycle", "--period", "2025-01", "--chart", str(out), db=db)
    assert empty.returncode == 0 and "No chart" in empty.stderr


def test_cycle_days_per_stage_read_as_days_not_as_a_share(services, team):  # noqa: F811
    moved_through_stages(services)
    text = Chat(services, team["boss"]).say("/rapor döngü bu ay ekip").text
    assert "Aday · 1 · 4" in text and "Nitelikli · 1 · 7" in text and "%" not in text


def test_one_reps_win_rate_is_drawn_as_its_trend(services, team):  # noqa: F811
    reply = Chat(services, team["ayse"]).say("/rapor kazanma bu ay")
    assert "Gidişat" in reply.text
    [chart] = reply.attachments
    assert size(chart.data) == (900, charts.TREND_HEIGHT_IN * charts.DPI)  # not a lone bar
