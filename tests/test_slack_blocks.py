"""Block Kit rendering within Slack's limits, Slack text back to typed text, and modal commands."""

from __future__ import annotations

import pytest

from bot.adapters.slack_blocks import MAX_BLOCKS, as_typed_in_slack, plain, render
from bot.adapters.slack_modals import (
    DEAL_VIEW,
    LOG_VIEW,
    TASK_VIEW,
    Opener,
    log_view,
    opener,
    submission,
)
from handlers.kit import Button, Card, Reply, Translator
from tests.fakes.slack_harness import fill

EN = Translator("en")


def actions(messages):
    return [b for m in messages for b in m["blocks"] if b["type"] == "actions"]


def test_many_choices_are_split_into_actions_blocks_of_at_most_25():
    reply = Reply(
        "pick one", choices=[Button(f"Customer {n}", f"/customer #{n}") for n in range(60)]
    )
    [message] = render(reply, EN)
    blocks = actions([message])
    assert [len(b["elements"]) for b in blocks] == [25, 25, 10]
    values = [e["value"] for b in blocks for e in b["elements"]]
    assert values == [f"/customer #{n}" for n in range(60)]
    ids = [e["action_id"] for b in blocks for e in b["elements"]]
    assert len(set(ids)) == 60
    assert all(i.startswith("crm_cmd_") for i in ids)


def test_card_fields_go_ten_to_a_section_and_long_ones_get_their_own():
    fields = [(f"Field {n}", f"value {n}") for n in range(23)]
    fields.insert(5, ("History", "line one\nline two"))
    reply = Reply("Acme", card=Card("customer", 7, "Acme", fields))
    [message] = render(reply, EN)
    header, *sections = message["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": "Acme (#7)"}}
    assert [len(s.get("fields", [])) for s in sections] == [5, 0, 10, 8]
    assert sections[1]["text"]["text"] == "*History*\nline one\nline two"


def test_long_text_is_split_into_sections_of_at_most_3000_characters_and_nothing_is_lost():
    lines = [f"line {n:04d} " + "x" * 90 for n in range(70)]
    [message] = render(Reply("\n".join(lines)), EN)
    texts = [b["text"]["text"] for b in message["blocks"]]
    assert len(texts) > 2
    assert all(len(t) <= 3000 for t in texts)
    assert "\n".join(texts) == "\n".join(lines)
    assert len(message["text"]) <= 3000


def test_a_single_enormous_line_is_cut_hard():
    [message] = render(Reply("y" * 7000), EN)
    assert [len(b["text"]["text"]) for b in message["blocks"]] == [3000, 3000, 1000]


def test_more_than_50_blocks_become_several_messages():
    text = "\n".join("z" * 2999 for _ in range(60))
    messages = render(Reply(text), EN)
    assert [len(m["blocks"]) for m in messages] == [MAX_BLOCKS, 10]
    assert all(m["text"] for m in messages)


def test_labels_are_clipped_and_oversized_commands_dropped():
    long_label = "L" * 100
    reply = Reply("x", buttons=[Button(long_label, "/help"), Button("huge", "/find " + "q" * 2000)])
    [message] = render(reply, EN)
    [element] = actions([message])[0]["elements"]
    assert element["text"]["text"] == "L" * 74 + "…"
    assert element["value"] == "/help"


def test_mrkdwn_control_characters_are_escaped():
    [message] = render(Reply("a < b & c > d"), EN)
    assert message["blocks"][0]["text"]["text"] == "a &lt; b &amp; c &gt; d"


def test_a_deal_cards_stage_buttons_become_one_select_and_other_buttons_stay():
    card = Card("deal", 4, "Fleet", [("Stage", "Lead")])
    buttons = [Button(s, f"/stage #4 {s.lower()}") for s in ("Qualified", "Won", "Lost")]
    reply = Reply("Fleet", card=card, buttons=[*buttons, Button("Help", "/help stage")])
    [message] = render(reply, EN, share="/deal #4")
    select, helper, share = actions([message])
    [element] = select["elements"]
    assert element["type"] == "static_select"
    assert [o["value"] for o in element["options"]] == [
        "/stage #4 qualified",
        "/stage #4 won",
        "/stage #4 lost",
    ]
    assert [e["value"] for e in helper["elements"]] == ["/help stage"]
    assert share["elements"][0]["action_id"] == "crm_share"


def test_turkish_labels_come_from_the_slack_catalog():
    [message] = render(Reply("x"), Translator("tr"), share="/pipeline")
    assert actions([message])[0]["elements"][0]["text"]["text"] == "Kanalda paylaş"


@pytest.mark.parametrize(
    ("slack_text", "typed"),
    [
        ("<@UBOT> find <mailto:ayse@acme.com|ayse@acme.com>", "find ayse@acme.com"),
        ("find <tel:+905321112233|0532 111 22 33>", "find 0532 111 22 33"),
        (
            "log note acme see <https://x.example/a|the doc> &amp; <#C1|sales>",
            "log note acme see the doc & #sales",
        ),
        ("ping <@U2> <!here> 5 &lt; 6", "ping @U2  5 < 6"),
        ("<https://bare.example>", "https://bare.example"),
    ],
)
def test_slack_formatting_is_undone_to_what_the_user_typed(slack_text, typed):
    assert plain(slack_text, drop_user="UBOT") == typed


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/log call #12", Opener(LOG_VIEW, 12, "call")),
        ("/kaydet ziyaret #3", Opener(LOG_VIEW, 3, "visit")),
        ("/log dance #3", None),
        ("/log", Opener(LOG_VIEW)),
        ("/log visit", Opener(LOG_VIEW, None, "visit")),
        ("/deal add", Opener(DEAL_VIEW)),
        ("/firsat ekle #4", Opener(DEAL_VIEW, 4)),
        ("/task", Opener(TASK_VIEW)),
        ("/deal #4", None),
        ("/task #12", Opener(TASK_VIEW, 12)),
        ("/log call #12 talked", None),
        ("/task call back fri #12", None),
        ("/customer #12", None),
        ("/log call acme", None),
    ],
)
def test_which_open_ended_commands_open_a_form(command, expected):
    assert opener(command) == expected


def test_a_submitted_log_form_is_one_typed_command():
    view = log_view(EN, {"channel": "C1"}, ("Acme", "#1"), "call")
    filled = fill(
        view,
        customer="#1",
        kind="meeting",
        summary=" agreed\n on  terms ",
        next="send draft",
        due="2026-11-30",
    )
    done = submission(filled, EN)
    assert done.errors == {}
    assert done.command == "/log meeting #1 next: send draft 2026-11-30 -- agreed on terms"
    assert done.meta == {"channel": "C1"}
    forged = submission(fill(view, customer="acme; drop", summary="x"), EN)
    assert "customer" in forged.errors


def test_command_mentions_read_as_typed_in_slack() -> None:
    text = "Usage: /find <name>\nSend /help. https://t.me/bot?start=x /crm find acme"
    assert as_typed_in_slack(text) == (
        "Usage: /crm find <name>\nSend /crm help. https://t.me/bot?start=x /crm find acme"
    )
