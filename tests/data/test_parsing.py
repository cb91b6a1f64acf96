import json
import re

import pytest

from trainnet.data.parsing import DatasetError, parse_table


def test_csv_numbers_become_numbers_and_text_stays_text():
    table = parse_table(b"text,label,score\nhello world,1,0.5\n", "d.csv")
    assert table.format == "csv" and table.columns == ["text", "label", "score"]
    assert table.rows == [{"text": "hello world", "label": 1, "score": 0.5}]


def test_csv_with_quoted_commas_and_newlines():
    table = parse_table(b'text,label\n"a, b\nc",x\n', "d.csv")
    assert table.rows[0]["text"] == "a, b\nc"


def test_json_array_and_jsonl_give_the_same_table():
    rows = [{"text": "a", "label": "x"}, {"text": "b", "label": "y"}]
    from_json = parse_table(json.dumps(rows).encode(), "d.json")
    from_jsonl = parse_table("\n".join(json.dumps(r) for r in rows).encode(), "d.jsonl")
    assert from_json.rows == from_jsonl.rows == rows


def test_json_rows_missing_a_field_get_none():
    table = parse_table(b'[{"text": "a", "label": 1}, {"text": "b"}]', "d.json")
    assert table.rows[1] == {"text": "b", "label": None}


def test_utf8_bom_is_accepted():
    assert parse_table("\ufefftext,label\nä,1\n".encode(), "d.csv").columns == ["text", "label"]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"text,label\na,1\n", "d.txt", "unsupported file extension"),
        (b"", "d.csv", "empty"),
        (b"text,label\n", "d.csv", "no data rows"),
        (b"\xff\xfe\x00t", "d.csv", "NUL bytes"),
        (b"text,label\n\xe9t\xe9,1\n", "d.csv", "not valid UTF-8"),
        (b'[{"text": "a"}', "d.json", "not valid JSON"),
        (b'{"text": "a", "label": 1}', "d.json", "array of objects"),
        (b'[{"text": {"nested": 1}, "label": 1}]', "d.json", "nested"),
        (b"[1, 2]", "d.json", "expected an object"),
        (b'{"text": "a"}\nnot json\n', "d.jsonl", "JSONL line 2"),
        (b'[{"text": "a"}]', "d.csv", "holds JSON"),
        (b"text,label\na,1,extra\n", "d.csv", "line 2 has 3 fields"),
        (b"text,text\na,1\n", "d.csv", "appears twice"),
        (b"[" * 100_000 + b"]" * 100_000, "d.json", "nested too deeply"),
    ],
)
def test_bad_files_are_rejected_with_a_message_naming_the_problem(content, name, message):
    with pytest.raises(DatasetError, match=message):
        parse_table(content, name)


def test_too_many_columns_are_rejected():
    header = ",".join(f"c{i}" for i in range(101))
    with pytest.raises(DatasetError, match="101 columns"):
        parse_table(f"{header}\n{','.join('1' * 101)}\n".encode(), "d.csv", max_columns=100)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"text\n" + b"a" * 11 + b"\n", "d.csv", "CSV line 2, column 'text', holds 11 characters; at most 10"),
        (b"t" * 11 + b"\na\n", "d.csv", "CSV header column 1 holds 11 characters"),
        (b'[{"text": "' + b"a" * 11 + b'"}]', "d.json", "item 0 field 'text' holds 11 characters"),
        (b'{"text": ["' + b"a" * 11 + b'"]}\n', "d.jsonl", "JSONL line 1 field 'text' holds 11 characters"),
        (b"text\na\nb\nc\n", "d.csv", "more than 2 rows"),
        (b'{"t": 1}\n{"t": 2}\n{"t": 3}\n', "d.jsonl", "more than 2 rows"),
        (b'{"t": ' + b"[" * 9 + b"]" * 9 + b"}\n", "d.jsonl", "nested more than 8 levels deep"),
        (b'[{"t": "a\\u0000"}]', "d.json", "contains a NUL character"),
    ],
)
def test_cells_rows_and_nesting_are_bounded(content, name, message):
    with pytest.raises(DatasetError, match=re.escape(message)):
        parse_table(content, name, allow_nested=True, max_cell_chars=10, max_rows=2)


def test_self_instruct_instances_fit_within_the_nesting_bound():
    row = {"instruction": "add", "instances": [{"input": "1+1", "output": "2"}], "is_classification": False}
    table = parse_table(json.dumps(row).encode(), "seed.jsonl", allow_nested=True, max_cell_chars=20, max_rows=1)
    assert table.rows[0]["instances"] == row["instances"]
