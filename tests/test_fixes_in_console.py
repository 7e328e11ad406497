"""The console round of issue 12 in Turkish: ``crm-bot console`` (the interactive REPL, its
numbered buttons) edits then undoes, deletes (confirmed by the button's number) then
restores. Each run is one sitting; the database is checked between them."""

from __future__ import annotations

from handlers.kit import Translator
from storage.models import Customer
from tests.conftest import add_customer, add_rep
from tests.fix_words import WORDS, edited, in_language, record, stored


def test_a_turkish_rep_edits_undoes_deletes_and_restores_in_the_console(services, crm_bot):
    t, w = Translator("tr"), WORDS["tr"]
    zeynep = add_rep(services, "Zeynep Kaya", role="admin", language="tr")
    acme = add_customer(services, "Acme Lojistik", owner_id=zeynep.id)
    db = services.settings.crm_database_url
    customer = record(t, "customer", "Acme Lojistik", acme.id)

    def sitting(*lines: str) -> str:
        done = crm_bot("console", "--as", "Zeynep Kaya", stdin="\n".join([*lines, "çıkış"]), db=db)
        assert done.returncode == 0 and done.stderr == "", done.stderr
        assert done.stdout.startswith(t("console.banner", rep="Zeynep Kaya"))
        assert done.stdout.rstrip().endswith(t("console.bye"))
        prose = [line for line in done.stdout.splitlines() if not line.startswith("> /")]
        in_language(t, "\n".join(prose).replace("  (/", "  ("))  # commands run are not prose
        return done.stdout

    shown = sitting(f"/{w.edit} #{acme.id} {w.city} Ankara")
    assert "\n".join(edited(t, "Acme Lojistik", "city", "—", "Ankara")) in shown
    assert stored(services, Customer, acme.id).city == "Ankara"

    assert t.plural("undo.done", 1, what=f"müşteri #{acme.id}") in sitting(f"/{w.undo}")
    assert stored(services, Customer, acme.id).city is None

    shown = sitting(f"/{w.delete} {w.customer} #{acme.id}", "1")
    assert t("archive.confirm", record=customer) in shown
    assert f"[1] {t('button.delete_confirm')}  (/delete customer #{acme.id} --confirm)" in shown
    assert t("archive.done", record=customer) in shown
    assert stored(services, Customer, acme.id).archived_at is not None

    shown = sitting(f"/{w.deleted}", f"/{w.restore} {w.customer} #{acme.id}")
    assert t("archive.list_title", days=30) in shown
    assert t("archive.restored", record=customer) in shown
    assert stored(services, Customer, acme.id).archived_at is None
