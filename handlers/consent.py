"""``/consent <customer> given|withdrawn [source]``: a customer's consent to be contacted.

Each answer is a new row (``storage.models.Consent``), never an edit, so the history can be
shown to the customer or an auditor; the card shows the latest. Withdrawing consent also
marks the customer do-not-contact, which ``/log`` and ``/task`` then ask about.
"""

from __future__ import annotations

from handlers.cards import customer_card
from handlers.kit import Context, Reply, Usage, command, is_keyword
from handlers.refs import resolve_customer
from storage import consents

STATUSES = ("given", "withdrawn")


@command("consent", writes=True, aliases=("izin",))
def consent(ctx: Context) -> Reply:
    words = ctx.words
    at = next(
        (i for i, w in enumerate(words) if any(is_keyword(w, f"kw.consent.{s}") for s in STATUSES)),
        None,
    )
    if not at:
        raise Usage()
    status = next(s for s in STATUSES if is_keyword(words[at], f"kw.consent.{s}"))
    source = " ".join(words[at + 1 :]) or None
    customer = resolve_customer(
        ctx, " ".join(words[:at]), ctx.again(f"{{ref}} {' '.join(words[at:])}")
    )
    consents.record(ctx.session, customer, status, source, ctx.rep.id, ctx.now)
    if status == "withdrawn" and not customer.do_not_contact:
        customer.do_not_contact = True
        ctx.session.add(customer)
    said = ctx.t(f"consent.{status}", name=customer.name)
    return customer_card(ctx, customer, said)
