"""Reading a CSV file as text and rows, or refusing it with one clear reason and its line.

Why so careful: a file is read whole before anything is written, so a malformed file is
refused before the first row reaches the database, and what is stored is never mojibake.

- Encoding. A byte-order mark decides (UTF-8, UTF-16 LE/BE). A file without one whose bytes
  are every other one NUL is UTF-16 too (Excel's "Unicode text"). Otherwise each line is read
  as UTF-8 if it is UTF-8, and lines that are not are read in the one legacy encoding that
  charset-normalizer finds for them among the Western and Turkish single-byte code pages
  (``LEGACY``); Windows-1254 wins whenever it is among its candidates,
  since that is what Turkish Excel writes and, on a short sample, its near relatives
  (Windows-1250/1252) decode the same bytes into look-alike letters ("DoÐru" for "Doğru").
  So a file mixing UTF-8 and Windows-1254 lines (two exports pasted together) reads right.
  Lines that decode in neither are named in the refusal.
- Delimiter: the one of ``;`` ``,`` tab ``|`` that splits the header line into the most
  columns (a header holds no commas inside names, unlike the data). A row with more cells
  than the header would lose a value, so it is refused with its line; a row of one cell
  holding another delimiter is a line written with the wrong separator.
- Size: a field may hold up to ``MAX_FIELD`` characters (csv's default limit is 131,072);
  a longer one, usually an unclosed quote swallowing the rest of the file, is refused with
  the line where it was found.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path

from charset_normalizer import from_bytes

MAX_FIELD = 1_000_000  # characters in one cell
DELIMITERS = (";", ",", "\t", "|")
PREFERRED_LEGACY = "cp1254"
# The legacy encodings a Turkish and English customer list comes in. Multi-byte Asian
# encodings are left out: they read almost any bytes as some text, i.e. as mojibake.
LEGACY = ("cp1254", "iso8859_9", "cp1252", "iso8859_15", "cp1250")
_LINES_NAMED = 5


class FileProblem(Exception):
    """The file cannot be read as a table: a catalog-neutral code and its values."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code)
        self.code = code
        self.values = {k: str(v) for k, v in values.items()}
        self.path: Path | None = None  # set by the importer: which file


def decode(data: bytes) -> str:
    """The file's text; raises FileProblem naming the lines that are not text."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return _whole(data[len(bom) :], codec)
    if codec := _bomless_utf16(data):
        return _whole(data, codec)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    foreign = [line for line in lines if not _is_utf8(line)]
    legacy = _legacy(b"\n".join(foreign))
    text: list[str] = []
    bad: list[int] = []
    for number, line in enumerate(lines, start=1):
        try:
            text.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                text.append(line.decode(legacy or "", errors="strict"))
            except (UnicodeDecodeError, LookupError):
                bad.append(number)
    if bad:
        raise FileProblem("undecodable", lines=_lines(bad), count=len(bad))
    return "\n".join(text)


def _whole(data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as problem:
        line = data[: problem.start].decode(codec, errors="replace").count("\n") + 1
        raise FileProblem("undecodable", lines=line, count=1) from None


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a mark: text whose even (BE) or odd (LE) bytes are mostly NUL."""
    sample = data[:4096]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    odd, even = sample[1::2], sample[0::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _legacy(sample: bytes) -> str | None:
    candidates = [match.encoding for match in from_bytes(sample, cp_isolation=list(LEGACY))]
    if PREFERRED_LEGACY in candidates:
        return PREFERRED_LEGACY
    return next((c for c in candidates if not c.startswith("utf")), None)


def _lines(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:_LINES_NAMED])
    return shown + ("…" if len(numbers) > _LINES_NAMED else "")


def delimiter(header_line: str) -> str:
    """The delimiter that splits the header into the most columns (``,`` for one column)."""
    best, most = ",", 1
    for candidate in DELIMITERS:
        cells = next(csv.reader([header_line], delimiter=candidate), [])
        if len(cells) > most:
            best, most = candidate, len(cells)
    return best


def rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Headers and (line, cells) rows; blank lines are skipped, line numbers are the file's."""
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD))
    text = text.lstrip("\ufeff")
    sep = delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    records = _records(reader)
    _, header = next(records, (1, []))
    headers = [h.strip() for h in header]
    found: list[tuple[int, dict[str, str]]] = []
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(headers):
            raise FileProblem("extra_cells", line=line, cells=len(cells), columns=len(headers))
        if len(cells) == 1 < len(headers) and any(d in cells[0] for d in DELIMITERS if d != sep):
            raise FileProblem("other_delimiter", line=line, delimiter=_shown(sep))
        found.append((line, dict(zip(headers, cells, strict=False))))
    return headers, found


def _records(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on; a field over MAX_FIELD is a FileProblem."""
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as problem:
            if "field larger than field limit" in str(problem):
                raise FileProblem("field_too_big", line=line, limit=MAX_FIELD) from None
            raise FileProblem("unreadable", line=line) from None
        yield line, cells
        line = reader.line_num + 1  # type: ignore[attr-defined]


def _shown(sep: str) -> str:
    return {"\t": "tab"}.get(sep, sep)
