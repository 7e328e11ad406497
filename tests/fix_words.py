"""What a rep types to fix a mistake, in each language, and what the answers must say.

The adapter tests (tests/test_fixes_over_telegram.py, tests/test_fixes_over_slack.py) run the
same steps in English and Turkish from this table; every expected answer is built from that
language's catalog (``Translator``), so an English word in a Turkish answer fails the test
instead of being written into it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from handlers.kit import Services, Translator
from storage.archive import with_archived
from storage.models import Customer, Deal, Rep
from tests.conftest import add_customer, add_deal, add_rep

LANGUAGES = ("en", "tr")


@dataclass(frozen=True)
class Words:
    """The command names and keywords a rep of one language types (Turkish: as Turks write)."""

    edit: str
    delete: str
    restore: str
    deleted: str
    undo: str
    assign: str
    history: str
    customer: str
    deal: str
    city: str
    title: str


WORDS = {
    "en": Words("edit", "delete", "restore", "deleted", "undo", "assign", "history",
                "customer", "deal", "city", "title"),
    "tr": Words("düzenle", "sil", "geriyükle", "silinenler", "geri al", "ata", "geçmiş",
                "müşteri", "fırsat", "şehir", "başlık"),
}  # fmt: skip


def edited(t: Translator, title: str, field: str, before: str, after: str) -> list[str]:
    """The lines of an edit's answer."""
    return [t("edit.done", title=title), f"• {t(f'edit.field.{field}')}: {before} → {after}"]


def record(t: Translator, kind: str, title: str, record_id: int) -> str:
    """How deletion answers name a record: 'customer "Acme" (#3)'."""
    return t("archive.record", kind=t(f"entity.{kind}"), title=title, id=record_id)


def undone(t: Translator, *parts: tuple[str, int]) -> str:
    """The answer to one undone command that changed these (entity, id) records."""
    what = t.join(f"{t(f'history.part.{entity}')} #{i}" for entity, i in parts)
    return t.plural("undo.done", 1, what=what)


def not_yours(t: Translator) -> str:
    return t("undo.refused.not_yours") + " " + t("undo.nothing_saved")


@dataclass
class Team:
    """A manager, two reps of his team, and Ayşe's customer and deal; all speak ``lang``."""

    lang: str
    murat: Rep
    ayse: Rep
    can: Rep
    acme: Customer
    deal: Deal

    @property
    def t(self) -> Translator:
        return Translator(self.lang)

    @property
    def w(self) -> Words:
        return WORDS[self.lang]


def make_team(services: Services, lang: str, **chat_ids: dict[str, object]) -> Team:
    """``chat_ids`` by first name: each rep's platform user id fields."""
    murat = add_rep(services, "Murat Kaya", role="manager", language=lang, **chat_ids["murat"])
    ayse = add_rep(services, "Ayşe Yılmaz", language=lang, manager_id=murat.id, **chat_ids["ayse"])
    can = add_rep(services, "Can Demir", language=lang, manager_id=murat.id, **chat_ids["can"])
    acme = add_customer(services, "Acme Lojistik", owner_id=ayse.id)
    deal = add_deal(services, acme, "Filo yenileme", "250000", owner_id=ayse.id)
    return Team(lang, murat, ayse, can, acme, deal)


def stored(services: Services, model: type, record_id: int | None) -> Any:
    """The row as the database holds it now, archived or not."""
    with Session(services.db.engine) as s:
        return s.exec(with_archived(select(model).where(model.id == record_id))).one()


ENGLISH_NAMES = ("/edit", "/delete", "/restore", "/undo", "/assign", "/history")


def in_language(t: Translator, shown: str) -> None:
    """A Turkish answer names the fix commands by their Turkish names (what the rep types)."""
    if t.language == "tr":
        assert not [n for n in ENGLISH_NAMES if n in shown], shown
