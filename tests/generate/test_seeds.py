import csv
import io
import json

import pytest

from trainnet.generate.seeds import SeedFileError, SeedTask, load_seed_tasks

RECORDS = [
    {"instruction": "Name a primary colour.", "input": "", "output": "Red"},
    {"instruction": "Translate to French.", "input": "cat", "output": "chat"},
]
EXPECTED = [SeedTask("Name a primary colour.", "", "Red"), SeedTask("Translate to French.", "cat", "chat")]


def _csv_bytes(rows, fields=("instruction", "input", "output")) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def test_loads_the_real_self_instruct_seed_file_as_is(data_dir):
    path = data_dir / "seed_tasks.jsonl"
    tasks = load_seed_tasks(path.read_bytes(), path.name)
    assert len(tasks) == 175
    assert sum(task.is_classification for task in tasks) == 26
    assert tasks[1] == SeedTask(
        "What is the relation between the given pairs?",
        "Night : Day :: Right : Left",
        "The relation between the given pairs is that they are opposites.",
    )


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("seeds.jsonl", "\n".join(json.dumps(r) for r in RECORDS).encode()),
        ("seeds.json", json.dumps(RECORDS, indent=2).encode()),
        ("seeds.json", json.dumps({"tasks": RECORDS}).encode()),
        ("seeds.csv", _csv_bytes(RECORDS)),
        ("seeds.txt", json.dumps(RECORDS).encode()),
        ("seeds.json", "\ufeff".encode() + "\n".join(json.dumps(r) for r in RECORDS).encode()),
    ],
)
def test_loads_jsonl_json_and_csv_variants(filename, content):
    assert load_seed_tasks(content, filename) == EXPECTED


def test_input_and_output_are_optional_and_flags_parse_from_csv_text():
    content = _csv_bytes(
        [{"instruction": "Is this spam?", "is_classification": "yes"}], ("instruction", "is_classification")
    )
    assert load_seed_tasks(content, "s.csv") == [SeedTask("Is this spam?", "", "", True)]


def test_each_instance_of_a_self_instruct_task_becomes_a_seed_task():
    record = {
        "instruction": "Add the numbers.",
        "instances": [{"input": "1 2", "output": "3"}, {"input": "2 2", "output": 4}],
    }
    tasks = load_seed_tasks(json.dumps(record).encode(), "s.jsonl")
    assert [(t.input, t.output) for t in tasks] == [("1 2", "3"), ("2 2", "4")]


@pytest.mark.parametrize("content", [b"", b"  \n\n ", b"[]"])
def test_empty_seed_file_is_rejected(content):
    with pytest.raises(SeedFileError, match="empty|no seed tasks"):
        load_seed_tasks(content, "seeds.jsonl" if content != b"[]" else "seeds.json")


def test_malformed_jsonl_names_the_line():
    content = json.dumps(RECORDS[0]).encode() + b'\n{"instruction": "broken\n'
    with pytest.raises(SeedFileError, match=r"seeds.jsonl, line 2: malformed JSON") as raised:
        load_seed_tasks(content, "seeds.jsonl")
    assert raised.value.line == 2


def test_malformed_json_array_names_the_line():
    with pytest.raises(SeedFileError, match="line 3: malformed JSON"):
        load_seed_tasks(b'[\n{"instruction": "a"},\n{"instruction": }\n]', "seeds.json")


@pytest.mark.parametrize(
    ("filename", "content", "line"),
    [
        ("s.jsonl", b'{"instruction": "ok", "output": "x"}\n{"output": "no instruction"}\n', 2),
        ("s.jsonl", b'{"instruction": "   ", "output": "x"}\n', 1),
        ("s.json", b'[\n  {"instruction": "ok"},\n  {"input": "x"}\n]', 3),
        ("s.csv", b"instruction,output\nok,1\n,2\n", 3),
    ],
)
def test_missing_instruction_names_the_line_or_row(filename, content, line):
    with pytest.raises(SeedFileError, match="missing or empty 'instruction'") as raised:
        load_seed_tasks(content, filename)
    assert raised.value.line == line


def test_csv_without_instruction_column_is_rejected():
    with pytest.raises(SeedFileError, match="no 'instruction' column"):
        load_seed_tasks(b"prompt,answer\nhi,there\n", "s.csv")


def test_csv_row_with_extra_fields_names_the_row():
    with pytest.raises(SeedFileError, match="line 3: row has more fields"):
        load_seed_tasks(b"instruction,output\nok,1\nbad,2,3\n", "s.csv")


def test_non_utf8_content_names_the_line():
    content = b'{"instruction": "ok"}\n{"instruction": "caf\xe9"}\n'
    with pytest.raises(SeedFileError, match=r"line 2: not UTF-8 text \(byte 0xe9") as raised:
        load_seed_tasks(content, "s.jsonl")
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"instruction": ["a", "list"]}, "'instruction' must be text"),
        ({"instruction": "ok", "output": {"a": 1}}, "'output' must be text"),
        ({"instruction": "ok", "instances": []}, "'instances' must be a non-empty list"),
        ({"instruction": "ok", "is_classification": "maybe"}, "'is_classification' must be true or false"),
        (["not", "an", "object"], "expected an object"),
    ],
)
def test_wrongly_typed_fields_are_rejected(record, message):
    with pytest.raises(SeedFileError, match=message):
        load_seed_tasks(json.dumps(record).encode(), "s.jsonl")
