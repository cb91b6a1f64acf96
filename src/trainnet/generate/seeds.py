"""Reading the seed tasks a generation job starts from.

Accepted: JSON Lines, a JSON array, or CSV with an `instruction` column and optional `input`, `output` and
`is_classification`; and self-instruct's `seed_tasks.jsonl`, whose records hold `instances: [{input, output}]`
(one seed task per instance). Anything else is rejected with a `SeedFileError` naming the line or row.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import PurePath

_TRUE_WORDS = {"true", "1", "yes", "y"}
_FALSE_WORDS = {"false", "0", "no", "n", ""}


class SeedFileError(ValueError):
    """A seed file that cannot be used, with where (`line`, 1-based; None for the whole file) and why."""

    def __init__(self, filename: str, problem: str, line: int | None = None) -> None:
        self.filename = filename
        self.problem = problem
        self.line = line
        where = f"{filename}, line {line}" if line is not None else filename
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class SeedTask:
    """One human-written example task: the instruction, an optional input, and its expected output."""

    instruction: str
    input: str = ""
    output: str = ""
    is_classification: bool = False

    def to_record(self) -> dict[str, str]:
        """The task as a dataset record (`instruction`, `input`, `output`)."""
        return {"instruction": self.instruction, "input": self.input, "output": self.output}


def load_seed_tasks(content: bytes, filename: str) -> list[SeedTask]:
    """Parse seed tasks from a file's bytes; the format comes from the extension, else from the content."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise SeedFileError(
            filename, f"not UTF-8 text (byte 0x{content[error.start]:02x} at offset {error.start})", line
        ) from None
    if not text.strip():
        raise SeedFileError(filename, "the file is empty")
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".csv":
        located = _read_csv(text, filename)
    elif suffix == ".json" or (suffix not in {".jsonl", ".ndjson"} and text.lstrip().startswith("[")):
        located = _read_json_array(text, filename)
    elif suffix in {".jsonl", ".ndjson"} or text.lstrip().startswith("{"):
        located = _read_json_lines(text, filename)
    else:
        located = _read_csv(text, filename)
    tasks = [task for line, record in located for task in _tasks_from_record(record, filename, line)]
    if not tasks:
        raise SeedFileError(filename, "no seed tasks found")
    return tasks


def _read_json_lines(text: str, filename: str) -> list[tuple[int, object]]:
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append((number, json.loads(line)))
        except json.JSONDecodeError as error:
            raise SeedFileError(filename, f"malformed JSON ({error.msg} at column {error.colno})", number) from None
    return records


def _read_json_array(text: str, filename: str) -> list[tuple[int, object]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        if text.lstrip().startswith("{"):  # JSON Lines saved with a .json extension
            return _read_json_lines(text, filename)
        raise SeedFileError(filename, f"malformed JSON ({error.msg} at column {error.colno})", error.lineno) from None
    if isinstance(data, dict):
        data = data.get("tasks", data.get("data", [data]))
    if not isinstance(data, list):
        raise SeedFileError(filename, "expected a JSON array of task objects")
    starts = _element_lines(text, len(data))
    return list(zip(starts, data))


def _element_lines(text: str, count: int) -> list[int]:
    """Best-effort line numbers of the top-level array elements (for error messages)."""
    decoder = json.JSONDecoder()
    lines, position = [], text.index("[") + 1
    for _ in range(count):
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        lines.append(text.count("\n", 0, position) + 1)
        try:
            position = decoder.raw_decode(text, position)[1]
        except json.JSONDecodeError:
            break
    return lines + [lines[-1] if lines else 1] * (count - len(lines))


def _read_csv(text: str, filename: str) -> list[tuple[int, object]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or "instruction" not in [name.strip() for name in reader.fieldnames]:
        raise SeedFileError(filename, f"CSV header has no 'instruction' column (found {reader.fieldnames})", 1)
    records: list[tuple[int, object]] = []
    try:
        for row in reader:
            if None in row:
                raise SeedFileError(filename, "row has more fields than the header", reader.line_num)
            records.append((reader.line_num, {key.strip(): value for key, value in row.items()}))
    except csv.Error as error:
        raise SeedFileError(filename, f"malformed CSV ({error})", reader.line_num) from None
    return records


def _tasks_from_record(record: object, filename: str, line: int) -> list[SeedTask]:
    if not isinstance(record, dict):
        raise SeedFileError(filename, f"expected an object, got {type(record).__name__}", line)
    instruction = _text_field(record, "instruction", filename, line)
    if not instruction.strip():
        raise SeedFileError(filename, "missing or empty 'instruction'", line)
    is_classification = _flag(record.get("is_classification", False), filename, line)
    if "instances" in record:
        instances = record["instances"]
        if not isinstance(instances, list) or not instances:
            raise SeedFileError(filename, "'instances' must be a non-empty list of {input, output}", line)
        pairs = []
        for instance in instances:
            if not isinstance(instance, dict):
                raise SeedFileError(filename, "each instance must be an object with input and output", line)
            given = _text_field(instance, "input", filename, line)
            pairs.append((given, _text_field(instance, "output", filename, line)))
    else:
        pairs = [(_text_field(record, "input", filename, line), _text_field(record, "output", filename, line))]
    return [SeedTask(instruction.strip(), given.strip(), output.strip(), is_classification) for given, output in pairs]


def _text_field(record: dict, name: str, filename: str, line: int) -> str:
    value = record.get(name)
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise SeedFileError(filename, f"'{name}' must be text, got {type(value).__name__}", line)
    return value


def _flag(value: object, filename: str, line: int) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE_WORDS | _FALSE_WORDS:
        return value.strip().lower() in _TRUE_WORDS
    raise SeedFileError(filename, f"'is_classification' must be true or false, got {value!r}", line)
