"""Report charts and CSV over the real adapters: Telegram (python-telegram-bot against the fake
Bot API) sends the chart as a photo after the text and the [CSV] button's file as a document;
Slack (Bolt against the fake Web API) uploads both with files_upload_v2. Both languages."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest

from storage.models import Rep
from tests.conftest import add_rep
from tests.fakes.slack_harness import block_texts, button, run, slack_running
from tests.telegram_harness import message_of, telegram
from tests.test_reports import team  # noqa: F401  (a fixture)

PNG = b"\x89PNG\r\n\x1a\n"
# Who asks, what they type, a line of the answer, the chart's title, the CSV's first header.
ASKED = {
    "tr": ("boss", "rapor kazanma bu ay ekip", "Adede göre kazanma oranı: %66,7", "Kazanma oranı"),
    "en": ("admin", "report winrate this month everyone", "Win rate by count: 75.0%", "Win rate"),
}
HEADER = {"tr": "Temsilci", "en": "Rep"}


def linked(services, rep: Rep, **ids: object) -> Rep:
    with services.db.session(write=True) as s:
        row = s.get(Rep, rep.id)
        for name, value in ids.items():
            setattr(row, name, value)
        s.add(row)
    return rep


def first_column(data: bytes) -> list[str]:
    return [row[0] for row in csv.reader(io.StringIO(data.decode("utf-8")))]


@pytest.mark.parametrize("language", ["tr", "en"])
def test_telegram_gets_the_chart_as_a_photo_and_the_csv_as_a_document(
    services,
    team,  # noqa: F811
    admin,
    language,
) -> None:
    who, typed, line, title = ASKED[language]
    asker = {"boss": team["boss"], "admin": admin}[who]
    linked(services, asker, telegram_user_id=4242, language=language)

    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            await fake.say(4242, "/" + typed)
            [answer] = await fake.wait_for("sendMessage")
            assert line in answer["text"]
            [photo] = await fake.wait_for("sendPhoto")
            assert photo.files["photo"][:8] == PNG and photo["caption"] == title
            assert fake.calls.index(answer) < fake.calls.index(photo)  # the text comes first
            [sheet] = [b for b in answer.buttons if b["text"] == "CSV"]
            await fake.press(4242, sheet["callback_data"], message_of(answer))
            [document] = await fake.wait_for("sendDocument")
            assert first_column(document.files["document"])[0] == HEADER[language]
            assert len(fake.of("sendPhoto")) == 1  # the CSV answer carries no chart

    asyncio.run(scenario())


@pytest.mark.parametrize("language", ["tr", "en"])
def test_slack_uploads_the_chart_and_the_csv_with_files_upload_v2(
    services,
    team,  # noqa: F811
    admin,
    language,
) -> None:
    who, typed, line, title = ASKED[language]
    asker = {"boss": team["boss"], "admin": admin}[who]
    linked(services, asker, slack_user_id="UASKER", language=language)

    async def scenario() -> None:
        async with slack_running(services) as slack:
            await slack.command(typed, user="UASKER")
            await slack.settled()
            [answer] = await slack.fake.wait_for("response_url")
            assert line in block_texts(answer.args)
            [chart] = await slack.fake.wait_for("upload")
            assert chart.args["bytes"][:8] == PNG
            [done] = await slack.fake.wait_for("files.completeUploadExternal")
            assert done.args["channel_id"] == "DASKER"  # an answer only they see: to their DM
            assert done.args["files"][0]["title"] == title
            await slack.press(button(answer.args, "CSV"), user="UASKER")
            uploads = await slack.fake.wait_for("upload", 2)
            assert first_column(uploads[1].args["bytes"])[0] == HEADER[language]
            await slack.settled()
            assert len(slack.fake.of("upload")) == 2  # the CSV answer carries no chart

    run(scenario())


def test_a_rep_with_nothing_closed_gets_text_and_no_photo(services) -> None:
    add_rep(services, "Can Öz", telegram_user_id=5151, language="tr")

    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            await fake.say(5151, "/rapor kazanma bu ay")
            [answer] = await fake.wait_for("sendMessage")
            assert "Adede göre kazanma oranı" in answer["text"]
            await fake.say(5151, "/rapor kazanma bu ay csv")
            await fake.wait_for("sendDocument")
            assert fake.of("sendPhoto") == []

    asyncio.run(scenario())
