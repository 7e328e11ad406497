"""Core statements run straight on the DBAPI cursor, compiled once per dialect.

Why: SQLAlchemy's execution of even a cached Core statement (an execution context, the
compiled cache's look-up, ``construct_params``, a cursor result) cost ~80 us, where SQLite
itself takes 25 us for a delivery key's insert (109 against 30 us, in-process). A chat
command runs several such statements that no ORM hook has anything to do with: the delivery
key, the rate counter, the flow it ends, the access log, the audit rows, the team of a
scope. Each is compiled here once per dialect and set of parameter names, with the bind and
result processors of its column types (a UTC datetime is still stored naive, a sum still
comes back exact), and run on the connection of the session's transaction.

Kept as SQLAlchemy would: listeners of ``before_cursor_execute`` still see every statement
(the tests and benches count statements that way), and a driver's error is raised as
SQLAlchemy's (``DBAPIError.instance``), its parameters hidden as the engine hides them.
A statement with a list parameter (``IN :ids``, expanding) is expanded for each list by
SQLAlchemy's own ``construct_expanded_state``; several rows of one (``executemany``) are
refused, as SQLAlchemy refuses them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError, MultipleResultsFound, NoResultFound
from sqlalchemy.sql import Executable

Processor = Callable[[Any], Any] | None
# an expanded statement's SQL, each parameter's source, their order (positional) or None
_Expansion = tuple[str, dict[str, Any], tuple[str, ...] | None]


@dataclass(frozen=True)
class Rows:
    """What a statement returned: its rows (processed), and the driver's row count."""

    rows: list[tuple[Any, ...]]
    rowcount: int
    returns_rows: bool

    def first(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None

    def one(self) -> tuple[Any, ...]:
        if not self.rows:
            raise NoResultFound("no row where one was required")
        if len(self.rows) > 1:
            raise MultipleResultsFound("several rows where one was required")
        return self.rows[0]

    def scalars(self) -> list[Any]:
        return [row[0] for row in self.rows]


class _Compiled:
    """One statement for one dialect and one set of parameter names."""

    def __init__(self, statement: Any, dialect: Dialect, keys: Sequence[str]) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        binds = compiled.binds
        # with a list parameter (``IN :ids``) the SQL is expanded for each list's length
        self.expanding = compiled if any(b.expanding for b in binds.values()) else None
        self.lists = tuple(sorted(n for n, b in binds.items() if b.expanding))
        self._expansions: dict[tuple[int, ...], _Expansion] = {}
        self.sql = compiled.string
        self.order: tuple[str, ...] | None = (
            tuple(compiled.positiontup or ()) if compiled.positional else None
        )
        self.fixed = {n: b.effective_value for n, b in binds.items() if not b.required}
        # a column's Python-side default (on an update: its onupdate), where a row leaves it out
        self.defaults = {c.key: c.default for c in compiled.insert_prefetch} | {
            c.key: c.onupdate for c in compiled.update_prefetch
        }
        self.binding: list[tuple[str, Processor]] = [
            (name, bind.type.dialect_impl(dialect).bind_processor(dialect))
            for name, bind in binds.items()
        ]
        self.processors: dict[str, Processor] = dict(self.binding)  # an expansion's too
        # an INSERT's RETURNING may be implicit (PostgreSQL returns a new row's key unasked)
        columns = compiled.effective_returning or getattr(statement, "selected_columns", ())
        self.results: list[Processor] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        ]
        self.returns_rows = bool(columns)

    def sent(self, given: Mapping[str, Any]) -> tuple[str, Any]:
        """The SQL and the parameters to send for one set of parameters."""
        if self.expanding is None:
            return self.sql, self._parameters(given)
        lists = tuple(len(given[name]) for name in self.lists)
        expansion = self._expansions.get(lists)
        if expansion is None:
            expansion = self._expansions[lists] = self._expand(given)
        sql, sources, order = expansion
        values = {
            name: value if (process := self.processors.get(name)) is None else process(value)
            for name, value in ((name, _value(source, given)) for name, source in sources.items())
        }
        return sql, values if order is None else tuple(values[name] for name in order)

    def _expand(self, given: Mapping[str, Any]) -> _Expansion:
        """SQLAlchemy's expansion for lists of these lengths, learnt once with a slot standing
        for each value given (it cost ~25 us a statement, a card's on SQLite each time): the
        SQL, where each parameter it sends takes its value from (a slot, or the statement's
        own fixed value), and their order when positional."""
        slots = {
            name: [_Slot(name, i) for i in range(len(value))]
            if name in self.lists
            else _Slot(name, None)
            for name, value in given.items()
        }
        assert self.expanding is not None
        state = self.expanding.construct_expanded_state(slots)
        self.processors.update(state.processors)
        order = tuple(state.positiontup or ()) if self.order is not None else None
        return state.statement, dict(state.parameters), order

    def _parameters(self, given: Mapping[str, Any]) -> Any:
        values: dict[str, Any] = {}
        for name, process in self.binding:
            if name in given:
                value = given[name]
            elif (default := self.defaults.get(name)) is not None:
                value = default.arg if default.is_scalar else default.arg(None)
            else:
                value = self.fixed[name]
            values[name] = value if process is None else process(value)
        if self.order is None:
            return values
        return tuple(values[name] for name in self.order)

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(
            value if process is None else process(value)
            for value, process in zip(raw, self.results, strict=True)
        )


@dataclass(frozen=True)
class _Slot:
    """Stands for the value of parameter ``name`` (its ``index``-th, of a list) while
    SQLAlchemy expands a statement once (``_Compiled._expand``)."""

    name: str
    index: int | None


def _value(source: Any, given: Mapping[str, Any]) -> Any:
    if not isinstance(source, _Slot):
        return source  # the statement's own (a LIMIT's, a literal's)
    value = given[source.name]
    return value if source.index is None else value[source.index]


_COMPILED: dict[tuple[int, str, tuple[str, ...]], tuple[Executable, _Compiled]] = {}
_LOCK = threading.Lock()


def _compiled(statement: Executable, dialect: Dialect, keys: tuple[str, ...]) -> _Compiled:
    key = (id(statement), dialect.name, keys)
    found = _COMPILED.get(key)
    if found is None:
        with _LOCK:  # the statement is kept beside it, so that its id is never reused
            found = _COMPILED.setdefault(key, (statement, _Compiled(statement, dialect, keys)))
    return found[1]


def run(
    connection: Connection,
    statement: Executable,
    params: Mapping[str, Any] | Sequence[Mapping[str, Any]],
) -> Rows:
    """Run a module-level (built once) Core statement on ``connection``'s driver connection;
    a list of several parameter sets runs as one ``executemany``."""
    given: Sequence[Mapping[str, Any]] = [params] if isinstance(params, Mapping) else params
    many = len(given) > 1  # psycopg's executemany costs a single row ~25 us more
    if not given:
        return Rows([], 0, False)
    compiled = _compiled(statement, connection.dialect, tuple(sorted(given[0])))
    if many and compiled.expanding is not None:
        raise ValueError("several rows of a list parameter: each would expand apart")
    if many:
        sql, sent = compiled.sql, [compiled.sent(p)[1] for p in given]
    else:
        sql, sent = compiled.sent(given[0])
    cursor = _cursor(connection)
    for listener in connection.dispatch.before_cursor_execute:
        listener(connection, cursor, sql, sent, None, many)
    try:
        if many:
            cursor.executemany(sql, sent)
        else:
            cursor.execute(sql, sent)
        # psycopg builds the description's column objects on each call: asked only of
        # a statement not known to return rows (an executemany returns none)
        returns = (compiled.returns_rows and not many) or cursor.description is not None
        fetched = cursor.fetchall() if returns else []
    except connection.dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(
            sql,
            sent,
            error,
            connection.dialect.loaded_dbapi.Error,
            hide_parameters=True,
            dialect=connection.dialect,
        ) from error
    return Rows([compiled.row(r) for r in fetched], cursor.rowcount, compiled.returns_rows)


_CURSOR = "crm_driver_cursor"  # the pool's record of a connection: (its DBAPI connection, a cursor)


def _cursor(connection: Connection) -> Any:
    """One cursor per DBAPI connection, kept with the pool's record of it, not one a statement:
    psycopg's cursor cost ~10 us to make and close, of ~60 a statement in Python. A
    connection is one thread's at a time, and every statement here fetches all it returns,
    so nothing is left on the cursor for the next; a new connection gets a new cursor."""
    proxied = connection.connection
    kept = proxied.info.get(_CURSOR)
    if kept is None or kept[0] is not proxied.dbapi_connection:
        kept = proxied.info[_CURSOR] = (proxied.dbapi_connection, proxied.cursor())
    return kept[1]
