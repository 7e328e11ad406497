"""A name typed whole resolves without the ranked search (``NameIndex.named(exactly=True)``,
``handlers.refs.find_customers``): that shortcut must give what the search would have given."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from storage.search import NameIndex, Tier, pick
from tests.conftest import Chat, add_customer, add_rep

# Few words, so that namesakes, names inside longer names and shared surnames are common.
WORDS = ["Ali", "Veli", "Özmen", "Ozmen", "Demir", "Demirel", "Ayşe", "Kaya", "Şahin", "Uğur"]
names = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)


@settings(max_examples=300, deadline=None)
@example(book=["Ali Veli", "Ali Veli Kaya Demir"], query="Ali Veli Kaya", hidden=set())
@given(
    book=st.lists(names, min_size=1, max_size=12), query=names, hidden=st.sets(st.integers(0, 11))
)
def test_a_whole_name_resolves_as_the_search_would(book, query, hidden) -> None:
    index = NameIndex()
    for customer_id, name in enumerate(book, start=1):
        index.put(customer_id, name, owner_id=customer_id)
    visible = lambda owner: owner not in hidden  # noqa: E731  (another rep's customers)
    exact = index.named(query, visible, exactly=True)
    chosen = pick(index.search(query, limit=6, visible=visible))
    if len(exact) == 1:
        assert chosen is not None and chosen.customer_id == exact[0]
    if chosen is not None and chosen.tier is Tier.EXACT:
        assert exact == [chosen.customer_id]
    if exact:
        assert index.named(query, visible) == exact  # what a sentence's reference asks


def test_find_by_a_whole_name_shows_its_card_even_inside_a_longer_name(services) -> None:
    rep = add_rep(services, "Rep", role="admin")
    ali = add_customer(services, "Ali Veli")
    longer = add_customer(services, "Ali Veli Demir")
    chat = Chat(services, rep)
    for typed, wanted in [("ali veli", ali), ("Veli Ali", ali), ("demir ali veli", longer)]:
        card = chat.say(f"/find {typed}").card
        assert card is not None and card.id == wanted.id
    assert not chat.say("/find veli").card  # both hold the word: a list to choose from


def test_a_name_repeating_a_word_is_tiered_as_its_set_of_words() -> None:
    index = NameIndex()
    index.put(1, "Ali Ali Veli", owner_id=1)
    index.put(2, "Ali Veli Demir", owner_id=1)
    matches = {m.customer_id: m for m in index.search("Veli Ali")}
    assert matches[1].tier is Tier.EXACT and matches[1].inside
    assert matches[2].tier is Tier.SUBSET and matches[2].inside
    assert index.named("Veli Ali", exactly=True) == [1]
    ali = {m.customer_id: m for m in index.search("Ali Ali")}
    assert ali[1].tier is Tier.SUBSET and ali[2].tier is Tier.SUBSET
