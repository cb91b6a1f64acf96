"""Parse an uploaded CSV, JSON (array of objects) or JSONL file into a table of scalar values. (A .zip of images
is read by `image_zip` into the same kind of table.)

Every problem raises `DatasetError` with a message a user can act on (the API turns it into a 4xx).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

import ijson

FORMATS = ("csv", "json", "jsonl")
UPLOAD_FORMATS = (*FORMATS, "zip")
Scalar = str | int | float | bool | None
MAX_NESTING = 8  # levels inside one field: self-instruct's `instances` (a list of objects) needs 2
# The csv module's field limit is process-wide; it is set to one constant (so concurrent parses cannot race on
# it) and cells are measured against the caller's `max_cell_chars` instead, with a message naming the cell.
CSV_FIELD_LIMIT = 2**31 - 1


class DatasetError(ValueError):
    """The uploaded data cannot be used; the message names the problem."""


def megabytes(size: int) -> str:
    """A size limit in words: 10 MB, 0.5 MB (or bytes, under 0.01 MB)."""
    if size < 1024 * 1024 / 100:
        return f"{size} bytes"
    return f"{round(size / (1024 * 1024), 2):g} MB"


@dataclass
class Table:
    format: str
    columns: list[str]
    rows: list[dict[str, Scalar]] = field(repr=False)

    def __len__(self) -> int:
        return len(self.rows)


def detect_format(filename: str, formats: tuple[str, ...] = FORMATS) -> str:
    """The format `filename`'s extension names, one of `formats`, or DatasetError."""
    suffix = PurePath(filename or "").suffix.lower().lstrip(".")
    if suffix not in formats:
        names = ", ".join("." + f for f in formats[:-1]) + " or ." + formats[-1]
        raise DatasetError(
            f"unsupported file extension {('.' + suffix) if suffix else '(none)'!s} in {filename!r}: "
            f"upload a {names} file"
        )
    return suffix


def decode_text(content: bytes) -> str:
    if not content.strip():
        raise DatasetError("the file is empty")
    if b"\x00" in content:
        raise DatasetError("the file contains NUL bytes: it looks binary, not CSV/JSON text")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"the file is not valid UTF-8 (byte {exc.start}): save it as UTF-8") from None


def parse_table(
    content: bytes,
    filename: str,
    max_columns: int = 20_000,
    allow_nested: bool = False,
    max_cell_chars: int | None = None,
    max_rows: int | None = None,
) -> Table:
    """Parse `content` according to the extension of `filename`, checking the content really is that format.

    Values must be scalars unless `allow_nested` (instruction datasets such as self-instruct's seed tasks keep
    a list of `instances` per row), and then at most `MAX_NESTING` levels deep. `max_cell_chars` and
    `max_rows` bound one value and the row count (None: no bound, for data accepted before).
    """
    fmt = detect_format(filename)
    text = decode_text(content)
    limits = _Limits(max_columns, max_cell_chars, max_rows)
    if fmt == "csv":
        columns, rows = _parse_csv(text, limits)
    elif fmt == "json":
        columns, rows = _parse_json_array(content, allow_nested, limits)
    else:
        columns, rows = _parse_jsonl(text, allow_nested, limits)
    if not rows:
        raise DatasetError("the file has a header but no data rows")
    if len(columns) > max_columns:
        raise DatasetError(f"the file has {len(columns)} columns; at most {max_columns} are supported")
    return Table(format=fmt, columns=columns, rows=rows)


@dataclass(frozen=True)
class _Limits:
    columns: int
    cell_chars: int | None
    rows: int | None

    def check_cell(self, value: str, where: str) -> None:
        if "\x00" in value:  # raw NUL bytes are refused before parsing; this is JSON's escaped \u0000
            raise DatasetError(f"{where} contains a NUL character (\\u0000): datasets hold text, not binary")
        if self.cell_chars is not None and len(value) > self.cell_chars:
            raise DatasetError(
                f"{where} holds {len(value)} characters; at most {self.cell_chars} are supported in one cell"
            )

    def check_rows(self, count: int) -> None:
        if self.rows is not None and count > self.rows:
            raise DatasetError(f"the file has more than {self.rows} rows; at most {self.rows} are supported")


def _parse_csv(text: str, limits: _Limits) -> tuple[list[str], list[dict[str, Scalar]]]:
    stripped = text.lstrip()
    if stripped[:1] in "[{":
        raise DatasetError("the file is named .csv but holds JSON: rename it to .json or .jsonl")
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
        if len(header) > limits.columns:
            raise DatasetError(f"the CSV has {len(header)} columns; at most {limits.columns} are supported")
        for i, name in enumerate(header):
            limits.check_cell(name, f"CSV header column {i + 1}")
        columns = _check_columns([h.strip() for h in header])
        rows = []
        for line_no, values in enumerate(reader, start=2):
            if not values or all(not v.strip() for v in values):
                continue
            if len(values) != len(columns):
                raise DatasetError(f"CSV line {line_no} has {len(values)} fields but the header has {len(columns)}")
            if limits.cell_chars is not None and max(map(len, values)) > limits.cell_chars:
                for column, value in zip(columns, values):
                    limits.check_cell(value, f"CSV line {line_no}, column {column!r},")
            rows.append({c: _csv_value(v) for c, v in zip(columns, values)})
            limits.check_rows(len(rows))
    except csv.Error as exc:
        raise DatasetError(f"the CSV cannot be parsed: {exc}") from None
    return columns, rows


def _csv_value(raw: str) -> Scalar:
    """CSV cells are text; integers and floats written as such become numbers (pixel columns, int labels)."""
    value = raw.strip()
    if value == "":
        return None
    try:
        return int(value)
    except ValueError:
        pass
    try:
        number = float(value)
    except ValueError:
        return raw
    return number if number == number and abs(number) != float("inf") else raw


def _parse_json_array(content: bytes, allow_nested: bool, limits: _Limits) -> tuple[list[str], list[dict[str, Scalar]]]:
    """Items are built one at a time from ijson's events, so the row cap and the nesting bound stop a large or
    deep document before it is held whole."""
    items = []
    try:
        for item in _stream_items(content.removeprefix(codecs.BOM_UTF8)):
            items.append(item)
            limits.check_rows(len(items))
    except ijson.JSONError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatasetError(f"the JSON file is not valid JSON: {reason}") from None
    return _records(items, lambda i: f"item {i}", allow_nested, limits)


_NOT_AN_ARRAY = 'a .json dataset must be an array of objects, e.g. [{"text": ..., "label": ...}]'
_SCALARS = {"null", "boolean", "integer", "double", "number", "string"}


def _stream_items(content: bytes) -> Iterator:
    """The items of a top-level array, or of the one array in a {"data": [...]} wrapper (a common one)."""
    events = ijson.basic_parse(io.BytesIO(content), use_float=True)
    event, _ = next(events, ("end", None))
    if event == "start_map":
        event, _ = next(events, ("end", None))
        if event != "map_key" or next(events, ("end", None))[0] != "start_array":
            raise DatasetError(_NOT_AN_ARRAY)
        yield from _array_items(events)
        if next(events, ("end", None))[0] != "end_map":
            raise DatasetError(_NOT_AN_ARRAY)
    elif event == "start_array":
        yield from _array_items(events)
    else:
        raise DatasetError(_NOT_AN_ARRAY)
    for _ in events:  # the parser reports trailing garbage only when asked for more
        pass


def _array_items(events: Iterator) -> Iterator:
    """Build each value of the array whose start_array was just read, up to its end_array."""
    # item (1) > field (2) > MAX_NESTING levels inside the field: deeper is refused while it is read
    max_depth = MAX_NESTING + 1
    index = 0
    while True:
        event, value = next(events)
        if event == "end_array":
            return
        if event in _SCALARS:
            yield value
        else:
            yield _build(event, events, max_depth, f"item {index}")
        index += 1


def _build(first: str, events: Iterator, max_depth: int, where: str):
    """The container that `first` (start_map or start_array) opens, built without recursion."""
    root: dict | list = {} if first == "start_map" else []
    stack: list[tuple[dict | list, str | None]] = [(root, None)]
    field: str | None = None  # the item's field being read, for messages
    while stack:
        event, value = next(events)
        node, key = stack[-1]
        if event == "map_key":
            stack[-1] = (node, value)
            if len(stack) == 1:
                field = value
            continue
        if event in ("end_map", "end_array"):
            stack.pop()
            continue
        if event in _SCALARS:
            child = value
        else:
            if len(stack) >= max_depth:
                name = f" field {field!r}" if field is not None and isinstance(root, dict) else ""
                if not name:
                    raise DatasetError("the JSON file is nested too deeply")
                raise DatasetError(
                    f"{where}{name} is nested more than {MAX_NESTING} levels deep; at most {MAX_NESTING} are supported"
                )
            child = {} if event == "start_map" else []
        if isinstance(node, dict):
            node[key] = child
        else:
            node.append(child)
        if event in ("start_map", "start_array"):
            stack.append((child, None))
    return root


def _parse_jsonl(text: str, allow_nested: bool, limits: _Limits) -> tuple[list[str], list[dict[str, Scalar]]]:
    items = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            items.append((line_no, _loads(line, f"JSONL line {line_no}")))
            limits.check_rows(len(items))
    if not items:
        raise DatasetError("the file is empty")
    numbers = {i: n for i, (n, _) in enumerate(items)}
    return _records([obj for _, obj in items], lambda i: f"JSONL line {numbers[i]}", allow_nested, limits)


def _loads(text: str, where: str):
    try:
        return json.loads(text)
    except RecursionError:
        raise DatasetError(f"{where} is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{where} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None


def _records(items: list, where, allow_nested: bool, limits: _Limits) -> tuple[list[str], list[dict[str, Scalar]]]:
    columns: dict[str, None] = {}
    rows = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise DatasetError(f"{where(i)} is {type(item).__name__}, expected an object with named fields")
        row = {}
        for key, value in item.items():
            if isinstance(value, (dict, list)):
                if not allow_nested:
                    raise DatasetError(
                        f"{where(i)} field {key!r} holds a nested {type(value).__name__}; "
                        "datasets need one scalar value per field"
                    )
                _check_nested(value, f"{where(i)} field {key!r}", limits)
            elif isinstance(value, str):
                limits.check_cell(value, f"{where(i)} field {key!r}")
            limits.check_cell(key, f"a field name in {where(i)}")
            row[str(key)] = value
            columns.setdefault(str(key), None)
        rows.append(row)
    names = _check_columns(list(columns))
    return names, [{c: row.get(c) for c in names} for row in rows]


def _check_nested(value: dict | list, where: str, limits: _Limits) -> None:
    """Nested values stay shallow (deep ones would recurse in every consumer) and their strings short."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            raise DatasetError(
                f"{where} is nested more than {MAX_NESTING} levels deep; at most {MAX_NESTING} are supported"
            )
        for child in node.values() if isinstance(node, dict) else node:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
            elif isinstance(child, str):
                limits.check_cell(child, where)


def _check_columns(columns: list[str]) -> list[str]:
    if not columns or all(not c for c in columns):
        raise DatasetError("the file has no column names")
    seen = set()
    for name in columns:
        if not name:
            raise DatasetError("a column has an empty name")
        if name in seen:
            raise DatasetError(f"column {name!r} appears twice")
        seen.add(name)
    return columns
