"""The first build of the name index reads and folds the book a batch at a time
(``NameIndex._load``, ``NameStore.load``) to keep a million names' memory low; what it builds
must be what one ``put()`` per customer builds, whatever the batches' sizes."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

import storage.search
from handlers.kit import Services
from storage.folding import name_tokens
from storage.name_store import NameStore, Row
from storage.search import NameIndex
from tests.conftest import add_customer

NAMES = [
    "Uğur Özmen",
    "Ayşe Özmen",
    "Dr. Uğur Hami Özmen",
    "Anadolu Lojistik A.Ş.",
    "Anadolu Gıda San. ve Tic. Ltd. Şti.",
    "Mehmet Yıldırım",
    "Mehmet Yıldırım",
    "Mehmet Demirel",
    "Acme Corporation",
    "Şahin Şahin",
    "IŞIK İnşaat",
    "José Müller GmbH",
    "Zeynep Çelik",
    "Çelik Kardeşler",
]
QUERIES = [
    "ugur ozmen",
    "özmen",
    "Özmen Uğur Hami",
    "anadolu",
    "anadolu gida",
    "mehmet yildirim",
    "Mehmet Demir",
    "acme",
    "sahin",
    "isik insaat",
    "jose muller",
    "zeynep celk",
    "celik",
    "kardesler",
]


def outcome(index: NameIndex, query: str) -> tuple[list[int], list[tuple[int, float, str, bool]]]:
    found = index.search(query)
    return index.named(query), [(m.customer_id, m.score, m.tier.name, m.inside) for m in found]


def test_a_build_in_small_batches_equals_one_put_per_customer(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [add_customer(services, name).id for name in NAMES]
    merged = add_customer(services, "Uğur Özmen", merged_into_id=ids[0])
    archived = add_customer(
        services, "Acme Corporation", archived_at=datetime(2030, 1, 1, tzinfo=UTC)
    )
    live = list(zip(ids, NAMES, strict=True))

    monkeypatch.setattr(storage.search, "LOAD_BATCH", 5)  # 16 rows: 5, 5, 5 and 1
    batched = NameIndex()
    assert batched.build_in_background(services.db.engine, at_once_below=10**9) is None
    by_put = NameIndex()
    for customer_id, name in live:
        assert customer_id is not None
        by_put.put(customer_id, name)

    assert len(batched) == len(by_put) == len(NAMES)
    assert merged.id is not None and archived.id is not None
    assert not batched._store.has(merged.id) and not batched._store.has(archived.id)
    for customer_id, name in live:
        assert customer_id is not None
        assert batched._store.tokens(customer_id) == list(name_tokens(name))
    for query in QUERIES:
        assert outcome(batched, query) == outcome(by_put, query), query
    # Every row's change number was kept, merged and archived ones too: nothing to re-read.
    with services.db.session() as session:
        assert batched.refresh(session) == 0


def store_of(batches: list[list[Row]]) -> NameStore:
    store = NameStore()
    store.load(batches)
    return store


def test_the_store_is_the_same_however_the_rows_are_batched() -> None:
    rows: list[Row] = [
        (i + 1, name_tokens(name), None if i % 3 else 7) for i, name in enumerate(NAMES)
    ]
    rows.append((len(rows) + 1, (), 7))  # a name with no words is not indexed
    whole = store_of([rows])
    for batches in ([rows[:1], [], rows[1:5], rows[5:]], [[row] for row in rows]):
        store = store_of(batches)
        assert store.words == whole.words and store.vocab == whole.vocab
        assert store.size == whole.size == len(NAMES)
        assert dict(store.owners) == dict(whole.owners) == {-1: 9, 7: 5}
        for name in ("flat", "start", "length", "ntok", "owner", "posting_ids", "posting_at"):
            assert np.array_equal(getattr(store, name), getattr(whole, name)), name
        assert not store.has(len(rows))
