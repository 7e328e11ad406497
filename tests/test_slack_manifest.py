"""The Slack app manifest matches the code: the same command, shortcuts, events and path, and
exactly the scopes that the Web API methods and events the adapter uses require."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import yaml

from bot.adapters.slack import EVENTS_PATH
from bot.adapters.slack_listeners import COMMAND, DEAL_SHORTCUT, LOG_SHORTCUT, NOTE_SHORTCUT

MANIFEST = Path(__file__).parents[1] / "deploy" / "slack-manifest.yaml"

# What each Web API method the adapter calls needs (Slack's method reference), and what each
# kind of incoming request needs. views.open and auth.test need no scope.
METHOD_SCOPES = {
    "chat.postMessage": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    "conversations.info": {"channels:read", "groups:read", "mpim:read"},  # public/private/group
    "conversations.open": {"im:write"},
    "files.getUploadURLExternal": {"files:write"},
    "files.completeUploadExternal": {"files:write"},
    "users.info": {"users:read", "users:read.email"},  # the profile's e-mail needs both
    "views.open": set(),
    "auth.test": set(),
}
INCOMING_SCOPES = {
    "slash command and shortcuts": {"commands"},
    "app_mention": {"app_mentions:read"},
    "message.im": {"im:history"},
}


def manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


def test_the_scopes_are_exactly_those_the_bot_uses():
    used = set().union(*METHOD_SCOPES.values(), *INCOMING_SCOPES.values())
    assert set(manifest()["oauth_config"]["scopes"]["bot"]) == used


def test_the_command_shortcuts_and_events_are_the_ones_the_listeners_handle():
    m = manifest()
    [slash] = m["features"]["slash_commands"]
    assert slash["command"] == COMMAND
    assert slash["should_escape"] is False  # plain text, as typed
    shortcuts = {(s["callback_id"], s["type"]) for s in m["features"]["shortcuts"]}
    assert shortcuts == {
        (LOG_SHORTCUT, "global"),
        (DEAL_SHORTCUT, "global"),
        (NOTE_SHORTCUT, "message"),
    }
    assert set(m["settings"]["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im"}
    assert m["features"]["app_home"]["messages_tab_enabled"] is True  # DMs to the bot


def test_every_request_url_is_the_events_path():
    m = manifest()
    urls = [
        m["features"]["slash_commands"][0]["url"],
        m["settings"]["event_subscriptions"]["request_url"],
        m["settings"]["interactivity"]["request_url"],
        m["settings"]["interactivity"]["message_menu_options_url"],
    ]
    assert {urlparse(u).path for u in urls} == {EVENTS_PATH}
    assert all(u.startswith("https://") for u in urls)
    assert m["settings"]["interactivity"]["is_enabled"] is True


def test_the_scope_table_covers_every_web_api_method_the_adapter_calls():
    adapters = Path(__file__).parents[1] / "bot" / "adapters"
    source = "".join(p.read_text(encoding="utf-8") for p in adapters.glob("slack*.py"))
    called: set[str] = set()
    for name in re.findall(r"client\.(\w+)[(,]", source):  # called, or handed to a retry
        if name == "files_upload_v2":  # slack_sdk's helper for the two-step upload
            called |= {"files.getUploadURLExternal", "files.completeUploadExternal"}
        else:
            called.add(name.replace("_", ".", 1))
    assert called == set(METHOD_SCOPES)
