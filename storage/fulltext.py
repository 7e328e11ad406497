"""Full-text search over interaction notes (summary and outcome) and task titles.

SQLite: two external-content FTS5 tables, ``interaction_fts`` and ``task_fts``, tokenizer
``unicode61 remove_diacritics 2``, kept in step by triggers (migration 0016). The tokenizer folds
case and strips accents (ş→s, ğ→g, ü→u, ö→o, ç→c), but "ı" has no accent to strip, so the
triggers index ``FOLD_SQL`` of the text: "ı" and "İ" become "i" first. "ışık" is then indexed as
"isik", and "ISIK", "Işık" and "isik" all find it. The index is built only through the triggers
and the migration's fill, which use the same expression: never run FTS5's 'rebuild' (it would
read the unfolded text).

PostgreSQL: a GIN index on the expression ``PG_DOCUMENT`` (``to_tsvector('simple', …)`` of the
text with Turkish letters and common accents translated to ASCII). Why not ``unaccent``: it is
an extension a hosted database may not allow, it is not IMMUTABLE (an index needs a wrapper),
and it leaves ``ı`` as is on some versions; ``translate`` is built in and immutable. The query
must use the very same expression to use the index, so both live here (changing them needs a
migration). The interactions matching are found first, in a MATERIALIZED CTE: PostgreSQL
guesses a text match is rare and, for a manager, walked the team's customers' interactions
recomputing the document for each (1.5 s at 1,000,000 interactions) instead of using the index.
For a scoped reader (a rep, a manager) the customers they may see are a second MATERIALIZED
CTE, hash-joined to the first (``_scoped_pg``).

Every word typed must appear (AND), each as a prefix ("teklif" finds "teklifi"). Query words
are folded the same way (``storage.folding.fold``) and reduced to letters and digits, so nothing
typed can be read as query syntax. Results are newest first (an interaction by when it happened,
a task by when it was created); a count that stops at ``COUNTED``, and each kind's newest
rows for the page. The snippet is cut in Python
from the original text (``snippet``), so it keeps the letters as typed on both databases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, func, literal, literal_column, text
from sqlmodel import Session, col, select

from storage import access
from storage.folding import fold
from storage.models import Customer, Interaction, Task
from storage.search_cold import NAME_FTS, PG_NAME_INDEX

FOLD_SQL = "replace(replace({}, 'ı', 'i'), 'İ', 'i')"
_FROM = "ıİIŞşĞğÜüÖöÇçÂâÎîÛûÉéÈèÊêËëÀàÄäÅåÑñÓóÒòÕõÚúÙùÍíÌìÏïÁá"
_TO = "".join(fold(ch) for ch in _FROM)  # letter for letter, as the query words are folded
PG_FOLD = f"translate({{}}, '{_FROM}', '{_TO}')"
PG_INTERACTION_TEXT = "{t}summary || ' ' || coalesce({t}outcome, '')"
PG_DOCUMENT = "to_tsvector('simple'::regconfig, " + PG_FOLD + ")"
WORD = re.compile(r"\w+")
SNIPPET_CHARS = 120
COUNTED = 10_000  # a search counts its matches up to here ("10,000+")
WALK_FROM = 2_000  # this many matching notes or more: found newest first by walking time
# SQLite, with their shadow tables; PostgreSQL. The names' index is storage.search_cold's.
FTS_TABLES = ("interaction_fts", "task_fts", NAME_FTS)
PG_INDEXES = ("ix_interaction_fulltext", "ix_task_fulltext", PG_NAME_INDEX)


def not_modelled(name: str | None, type_: str, _parent: object = None) -> bool:
    """Alembic's ``include_name``: false for the FTS5 tables and their shadow tables and the
    expression indexes, which no model describes (autogenerate neither drops nor reports them)."""
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith(FTS_TABLES)
    return not (type_ == "index" and name in PG_INDEXES)


@dataclass(frozen=True)
class Hit:
    kind: str  # interaction | task
    id: int
    customer_id: int | None
    customer_name: str | None
    at: datetime
    text: str


def terms(words: str) -> list[str]:
    """The folded words of a query, letters and digits only."""
    return WORD.findall(fold(words))


def _interactions(session: Session, found: list[str], *, by_time: bool = False) -> Any:
    """Matching interactions. ``by_time``: where many match, let the database walk the
    interactions newest first and test each (SQLite: against the match set, ``+id`` keeping
    the rowid from driving the plan; PostgreSQL: the document itself, in a form its GIN index
    does not serve), so a page is found after a few dozen rows instead of after reading and
    sorting every match."""
    body = func.coalesce(Interaction.summary, "") + " " + func.coalesce(Interaction.outcome, "")
    query = (
        select(
            literal("interaction").label("kind"),
            col(Interaction.id).label("id"),
            col(Customer.id).label("customer_id"),
            col(Customer.name).label("customer_name"),
            col(Interaction.occurred_at).label("at"),
            cast(body, Text).label("body"),
        )
        .join(Customer, col(Customer.id) == Interaction.customer_id)
        .where(
            _unindexed("customer.merged_into_id", by_time and not _is_postgres(session)).is_(None)
        )
    )
    if _is_postgres(session) and by_time:
        # The same document, spelt so that the GIN index cannot serve it: the plan walks the
        # time index backwards and tests each row, stopping at the page.
        unindexed = f"({PG_INTERACTION_TEXT.format(t='interaction.')} || '')"
        document = literal_column(PG_DOCUMENT.format(unindexed))
        return query.where(document.op("@@")(func.to_tsquery("simple", _pg_query(found))))
    if _is_postgres(session):
        table = Interaction.__table__
        document = literal_column(PG_DOCUMENT.format(PG_INTERACTION_TEXT.format(t="interaction.")))
        matched = (
            select(table.c.id)
            .where(document.op("@@")(func.to_tsquery("simple", _pg_query(found))))
            .cte("matched")
            .prefix_with("MATERIALIZED")
        )
        return query.where(col(Interaction.id).in_(select(matched.c.id)))
    matching = "(SELECT rowid FROM interaction_fts WHERE interaction_fts MATCH :iq)"
    match = text(f"{'+' if by_time else ''}interaction.id IN {matching}")
    return query.where(match.bindparams(iq=_fts_query(found)))


def _unindexed(column: str, by_time: bool) -> Any:
    """SQLite's ``+column``, which no index may serve, so the plan walks interactions by time
    (PostgreSQL's planner would take it for a rare condition and drive the plan by it)."""
    return literal_column(f"+{column}" if by_time else column)


def _tasks(session: Session, found: list[str]) -> Any:
    query = select(
        literal("task").label("kind"),
        col(Task.id).label("id"),
        col(Customer.id).label("customer_id"),
        col(Customer.name).label("customer_name"),
        col(Task.created_at).label("at"),
        cast(Task.title, Text).label("body"),
    ).outerjoin(Customer, col(Customer.id) == Task.customer_id)
    if _is_postgres(session):
        document = literal_column(PG_DOCUMENT.format("task.title"))
        return query.where(document.op("@@")(func.to_tsquery("simple", _pg_query(found))))
    match = text("task.id IN (SELECT rowid FROM task_fts WHERE task_fts MATCH :tq)")
    return query.where(match.bindparams(tq=_fts_query(found)))


def _reads_everything(session: Session) -> bool:
    scope = access.scope_of(session)
    return scope is None or scope.reads is None


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _fts_query(found: list[str]) -> str:
    return " AND ".join(f'"{w}"*' for w in found)


def _pg_query(found: list[str]) -> str:
    return " & ".join(f"{w}:*" for w in found)


def _count(session: Session, query: Any) -> int:
    """Matches up to ``COUNTED + 1``: enough to say "10,000+" without reading them all."""
    capped = query.limit(COUNTED + 1).subquery()
    return session.exec(select(func.count()).select_from(capped)).one()


def _newest(session: Session, query: Any, n: int) -> list[Hit]:
    q = query.subquery()
    ordered = select(q).order_by(q.c.at.desc(), q.c.id.desc()).limit(n)
    return [Hit(*row) for row in session.execute(ordered)]


def _matched_pg(found: list[str]) -> Any:
    """Every matching note's id, customer and time, from the GIN index in one bitmap pass
    (MATERIALIZED: see the module's docstring)."""
    table = Interaction.__table__
    document = literal_column(PG_DOCUMENT.format(PG_INTERACTION_TEXT.format(t="interaction.")))
    return (
        select(table.c.id, table.c.customer_id, table.c.occurred_at)
        .where(document.op("@@")(func.to_tsquery("simple", _pg_query(found))))
        .cte("matched")
        .prefix_with("MATERIALIZED")
    )


def _count_pg(session: Session, found: list[str]) -> int:
    """Matching notes of live customers up to ``COUNTED + 1`` on PostgreSQL, for a reader who
    sees everything: each match's customer is checked straight from the match set, not after
    looking each note up again by its id and de-duplicating the ids (half the time of a
    common word's count)."""
    matched = _matched_pg(found)
    live = (
        select(matched.c.id)
        .join(Customer, col(Customer.id) == matched.c.customer_id)
        .where(col(Customer.merged_into_id).is_(None))
        .limit(COUNTED + 1)
        .subquery()
    )
    return session.execute(select(func.count()).select_from(live)).scalar_one()


def _scoped_pg(session: Session, found: list[str], wanted: int) -> tuple[int, list[Hit]]:
    """(how many notes a scoped reader may see match, their newest ``wanted``) on PostgreSQL,
    in one statement whose plan no estimate can turn.

    Two MATERIALIZED CTEs: every matching note with its customer and time, read from the GIN
    index in one bitmap pass over the table, and the customers the reader may see (the
    session's scope adds its filter to that CTE like to any query). They meet in a hash join
    between the two CTE scans, counted and cut to the page before a note's text or its
    customer's name is read. Why: the planner guesses two prefix words ~180 times too rare,
    so given any index it probed a customer per matching note (71,000 probes for a common
    word, then as many again for the notes' rows) or walked every note of the team computing
    its document; a CTE scan offers neither."""
    matched = _matched_pg(found)
    visible = (
        select(col(Customer.id))
        .where(col(Customer.merged_into_id).is_(None))
        .cte("visible")
        .prefix_with("MATERIALIZED")
    )
    page = (
        select(matched.c.id, func.count().over().label("matches"))
        .where(matched.c.customer_id.in_(select(visible.c.id)))
        .order_by(matched.c.occurred_at.desc(), matched.c.id.desc())
        .limit(wanted)
        .subquery("page")
    )
    body = func.coalesce(Interaction.summary, "") + " " + func.coalesce(Interaction.outcome, "")
    rows = session.execute(
        select(
            literal("interaction").label("kind"),
            col(Interaction.id),
            col(Customer.id),
            col(Customer.name),
            col(Interaction.occurred_at),
            cast(body, Text),
            page.c.matches,
        )
        .join(page, page.c.id == Interaction.id)
        .join(Customer, col(Customer.id) == Interaction.customer_id)
        .order_by(col(Interaction.occurred_at).desc(), col(Interaction.id).desc())
    ).all()
    return (rows[0][-1] if rows else 0), [Hit(*row[:-1]) for row in rows]


def _notes(session: Session, found: list[str], wanted: int) -> tuple[int, list[Hit]]:
    """(matching notes, capped at ``COUNTED + 1`` where counting stops early; the newest)."""
    if _is_postgres(session) and not _reads_everything(session):
        return _scoped_pg(session, found, wanted)
    if _is_postgres(session):
        notes = _count_pg(session, found)
    else:
        notes = _count(session, _interactions(session, found))
    if not notes:
        return 0, []
    walk = notes >= WALK_FROM
    return notes, _newest(session, _interactions(session, found, by_time=walk), wanted)


def search(session: Session, words: str, limit: int, offset: int) -> tuple[int, bool, list[Hit]]:
    """(how many notes and tasks match every word, whether that count stopped at
    ``COUNTED``, this page of them, newest first).

    Each kind is counted up to the cap, then its newest ``offset + limit`` are read and the
    two merged here. A common word matches a large share of the notes; reading and sorting
    all of them for ten lines was most of a search's time."""
    found = terms(words)
    if not found:
        return 0, False, []
    wanted = offset + limit
    notes, hits = _notes(session, found, wanted)
    tasks = _count(session, _tasks(session, found))
    hits += _newest(session, _tasks(session, found), wanted) if tasks else []
    hits.sort(key=lambda h: (h.at, h.kind == "interaction", h.id), reverse=True)
    return min(notes + tasks, COUNTED), notes + tasks > COUNTED, hits[offset:wanted]


def snippet(body: str, found: list[str], marks: tuple[str, str] = ("«", "»")) -> str:
    """A window of ``body`` around the first matching word, matching words between ``marks``.

    Guillemets, not Markdown stars: Telegram's HTML shows stars as typed, the console has no
    bold, and a note may hold stars of its own; «word» reads the same everywhere."""
    body = " ".join(body.split())
    spans = [
        m.span() for m in WORD.finditer(body) if any(fold(m.group()).startswith(w) for w in found)
    ]
    start = 0
    if spans and len(body) > SNIPPET_CHARS:
        start = max(0, spans[0][0] - SNIPPET_CHARS // 3)
        start = body.rfind(" ", 0, start) + 1 if start else 0
    end = min(len(body), start + SNIPPET_CHARS)
    if end < len(body):
        end = body.rfind(" ", start, end) if " " in body[start:end] else end
    out, at = [], start
    for a, b in spans:
        if a >= start and b <= end:
            out += [body[at:a], marks[0], body[a:b], marks[1]]
            at = b
    out.append(body[at:end])
    return ("…" if start else "") + "".join(out) + ("…" if end < len(body) else "")
