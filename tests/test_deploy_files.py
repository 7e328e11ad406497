"""deploy/: the compose file, its env file, the Caddy config, the Dockerfile and the systemd
unit agree with each other and with the code (``Settings``, the CLI's parser, the adapters'
paths). Nothing here runs docker or systemd: CI has neither; a name that drifts is caught
here instead of at an operator's first start.
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

from bot.adapters.slack import EVENTS_PATH
from bot.cli import _parser
from handlers.kit import Settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
REPLICAS = ("bot-1", "bot-2")
SETTINGS_ENV = {name.upper() for name in Settings.model_fields}
# Read by the postgres image and by Caddy, never by crm-bot (README "Deployment").
NOT_THE_BOT = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "PUBLIC_HOSTNAME"}
INTERPOLATED = re.compile(r"(?<!\$)\$\{?([A-Za-z_][A-Za-z0-9_]*)")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def env_example() -> dict[str, str]:
    pairs = {}
    for line in (DEPLOY / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            assert name == name.strip().upper() and name not in pairs, line
            pairs[name] = value
    return pairs


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {str(k): str(v) for k, v in env.items()}


def interpolate(text: str, values: dict[str, str]) -> str:
    return INTERPOLATED.sub(lambda m: values[m.group(1)], text)


def test_every_variable_named_is_a_setting_or_a_documented_other(compose) -> None:
    named = set(env_example())
    for service in compose["services"].values():
        named |= environment(service).keys()
    named |= set(INTERPOLATED.findall((DEPLOY / "compose.yaml").read_text()))
    named |= set(INTERPOLATED.findall((DEPLOY / "Caddyfile").read_text().replace("{$", "${")))
    strangers = named - SETTINGS_ENV - NOT_THE_BOT
    assert not strangers, f"not crm-bot settings nor documented: {sorted(strangers)}"
    # Whatever compose fills in from the env file is listed there, the others included.
    interpolated = set(INTERPOLATED.findall((DEPLOY / "compose.yaml").read_text()))
    assert interpolated <= env_example().keys()
    assert env_example().keys() >= NOT_THE_BOT


def test_the_example_values_are_valid_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("CRM_", "TELEGRAM_", "SLACK_")):
            monkeypatch.delenv(name)
    settings = Settings(_env_file=DEPLOY / ".env.example")  # type: ignore[call-arg]
    assert settings.crm_language in ("en", "tr")
    assert urlparse(settings.telegram_webhook_url or "").scheme == "https"


def test_the_replicas_share_one_database_and_one_configuration(compose) -> None:
    services = compose["services"]
    envs = [environment(services[name]) for name in REPLICAS]
    assert envs[0] == envs[1]
    assert [services[name].get("env_file") for name in REPLICAS] == [".env", ".env"]
    url = interpolate(envs[0]["CRM_DATABASE_URL"], env_example())
    parsed = urlparse(url)
    db = environment(services["db"])
    assert parsed.scheme == "postgresql+psycopg" and parsed.hostname == "db"
    assert parsed.username == interpolate(db["POSTGRES_USER"], env_example())
    assert parsed.path.lstrip("/") == interpolate(db["POSTGRES_DB"], env_example())
    assert "db" in services and services["db"]["healthcheck"]["test"]
    assert services["db"]["image"].startswith("postgres:") and services["db"]["volumes"]
    for name in REPLICAS:
        needs = services[name]["depends_on"]
        assert needs["migrate"]["condition"] == "service_completed_successfully"
        assert "command" not in services[name]  # the bot itself: `crm-bot` with no sub-command


def test_the_one_shot_migration_is_crm_bot_db_upgrade(compose) -> None:
    migrate = compose["services"]["migrate"]
    args = _parser().parse_args(migrate["command"])
    assert (args.command, args.db_command) == ("db", "upgrade")
    assert (
        environment(migrate)["CRM_DATABASE_URL"]
        == environment(compose["services"]["bot-1"])["CRM_DATABASE_URL"]
    )
    assert migrate["restart"] == "no"


def caddy_routes() -> dict[str, dict[str, list[str]]]:
    """``handle PATH { reverse_proxy UPSTREAMS { sub-directives } }`` → {path: {directive:
    [values]}}, the upstreams under "to"; a small reading of the one file we ship."""
    routes: dict[str, dict[str, list[str]]] = {}
    path, depth, opened_at = None, 0, 0
    for raw in (DEPLOY / "Caddyfile").read_text().splitlines():
        words = [w for w in raw.split("#", 1)[0].split() if w not in "{}"]
        if words and words[0] == "handle" and len(words) == 2:
            path, opened_at = words[1], depth
            routes[path] = {}
        elif words and path and words[0] == "reverse_proxy":
            routes[path]["to"] = words[1:]
        elif words and path:
            routes[path][words[0]] = words[1:]
        depth += raw.count("{") - raw.count("}")
        if path and depth <= opened_at:
            path = None
    return routes


def test_the_load_balancer_routes_to_both_replicas(compose) -> None:
    env = environment(compose["services"]["bot-1"])
    routes = caddy_routes()
    webhook_path = urlparse(env_example()["TELEGRAM_WEBHOOK_URL"]).path
    ports = {webhook_path: env["TELEGRAM_WEBHOOK_PORT"], EVENTS_PATH: env["SLACK_HTTP_PORT"]}
    assert set(routes) == set(ports)
    for path, port in ports.items():
        assert sorted(routes[path]["to"]) == [f"{name}:{port}" for name in REPLICAS], path
        assert routes[path]["health_uri"] == ["/healthz"]
        assert routes[path]["health_port"] == [env["CRM_HTTP_PORT"]]
    manifest = (DEPLOY / "slack-manifest.yaml").read_text()
    for url in re.findall(r"(?:request_url|url): (\S+)", manifest):
        assert urlparse(url).path == EVENTS_PATH
    proxy = compose["services"]["proxy"]
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert set(proxy["depends_on"]) == set(REPLICAS)


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", (DEPLOY / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def test_the_dockerfile_agrees_with_compose_and_the_project(compose) -> None:
    steps = dockerfile()
    first = {kind: args for kind, args in reversed(steps)}  # the first of each kind
    last = dict(steps)
    assert re.fullmatch(r"python:3\.1[1-9]-slim", first["FROM"])
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert last["ENTRYPOINT"] == '["crm-bot"]' and "crm-bot" in project["scripts"]
    assert any(k == "RUN" and 'pip install ".[postgres]"' in a for k, a in steps)
    assert "postgres" in project["optional-dependencies"]
    assert last["USER"] not in ("root", "0")
    env = dict(re.findall(r"(\w+)=(\S+)", " ".join(a for k, a in steps if k == "ENV")))
    assert (
        env.keys()
        - {"PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"}
        - {n for n in env if n.startswith("PIP_")}
        <= SETTINGS_ENV
    )
    replica = environment(compose["services"]["bot-1"])
    for name in ("CRM_HTTP_PORT", "TELEGRAM_WEBHOOK_PORT"):
        assert env[name] == replica[name], name
    exposed = set(last["EXPOSE"].split())
    wanted = {"CRM_HTTP_PORT", "TELEGRAM_WEBHOOK_PORT", "SLACK_HTTP_PORT"}
    assert {replica[n] for n in wanted} == exposed
    check = last["HEALTHCHECK"]
    assert "http://127.0.0.1:{os.environ['CRM_HTTP_PORT']}/healthz" in check
    build = compose["services"]["bot-1"]["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
    for copied in re.findall(r"^COPY (\w+) ", (DEPLOY / "Dockerfile").read_text(), re.M):
        assert (ROOT / copied).is_dir(), copied


def test_the_systemd_unit_runs_crm_bot_hardened() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / "crm-bot.service")
    assert set(unit.sections()) == {"Unit", "Service", "Install"}
    service = unit["Service"]
    assert service["User"] not in ("root", "0") and service["EnvironmentFile"]
    assert service["Restart"] == "on-failure"
    assert service["NoNewPrivileges"] == "yes" and service["ProtectSystem"] == "strict"
    # The embedded SQLite file lives in the working directory: it must stay writable.
    writable = service["ReadWritePaths"].split()
    assert service["WorkingDirectory"] in writable
    binary, *args = shlex.split(service["ExecStart"])
    assert Path(binary).name == "crm-bot"
    parsed = _parser().parse_args(args)  # exits (fails the test) on an unknown sub-command
    assert parsed.command is None  # the bot itself
    assert unit["Install"]["WantedBy"] == "multi-user.target"
