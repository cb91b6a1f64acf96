import base64
import io

import pytest
from PIL import Image

from trainnet.data.examples import (
    ColumnMapping,
    build_examples,
    check_images,
    from_records,
    summarize,
    to_pil,
    to_records,
)
from trainnet.data.parsing import DatasetError, Table


def table(rows):
    return Table("json", list(rows[0]), rows)


def png_b64(size=(4, 4), color=128) -> str:
    buffer = io.BytesIO()
    Image.new("L", size, color).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_string_labels_are_indexed_in_sorted_order():
    examples = build_examples(
        table([{"text": "a", "label": "pos"}, {"text": "b", "label": "neg"}]), "text", ColumnMapping()
    )
    assert examples.label_names == ["neg", "pos"] and examples.labels == [1, 0]


def test_integer_labels_sort_numerically():
    rows = [{"text": str(i), "label": v} for i, v in enumerate([10, 2, 1])]
    assert build_examples(table(rows), "text", ColumnMapping()).label_names == ["1", "2", "10"]


def test_mapped_columns_are_used():
    rows = [{"review": "good", "stars": "5"}, {"review": "bad", "stars": "1"}]
    examples = build_examples(table(rows), "text", ColumnMapping(label_column="stars", text_column="review"))
    assert examples.inputs == ["good", "bad"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"text": "a", "label": "x"}, {"text": "b", "label": "x"}], "single class"),
        ([{"text": "a", "y": 1}, {"text": "b", "y": 2}], "no label column"),
        ([{"body": "a", "label": 1}, {"body": "b", "label": 2}], "no text column"),
        ([{"text": "", "label": 1}, {"text": "b", "label": 2}], "row 1: column 'text' is empty"),
        ([{"text": "a", "label": None}, {"text": "b", "label": 2}], "row 1: the label is empty"),
        ([{"text": "a", "label": 0.5}, {"text": "b", "label": 2}], "not a class name"),
    ],
)
def test_text_tables_that_do_not_fit_are_rejected(rows, message):
    with pytest.raises(DatasetError, match=message):
        build_examples(table(rows), "text", ColumnMapping())


def test_pixel_columns_become_square_images():
    rows = [{"label": i % 2, **{f"pixel{j}": j * 10 for j in range(16)}} for i in range(4)]
    examples = build_examples(table(rows), "image", ColumnMapping())
    image = to_pil(examples.inputs[0])
    assert image.size == (4, 4) and image.mode == "RGB"


def test_non_square_pixel_columns_are_rejected():
    rows = [{"label": i % 2, **{f"pixel{j}": 0 for j in range(15)}} for i in range(2)]
    with pytest.raises(DatasetError, match="do not form a square"):
        build_examples(table(rows), "image", ColumnMapping())


def test_base64_images_decode_and_garbage_is_reported_with_its_row():
    rows = [{"image": png_b64(), "label": "a"}, {"image": "bm90IGFuIGltYWdl", "label": "b"}]
    examples = build_examples(table(rows), "image", ColumnMapping())
    with pytest.raises(DatasetError, match="row 2: the image cannot be decoded"):
        check_images(examples)


def test_decompression_bombs_are_refused():
    buffer = io.BytesIO()
    Image.new("1", (5000, 5000)).save(buffer, format="PNG")
    with pytest.raises(DatasetError, match="larger than"):
        to_pil(base64.b64encode(buffer.getvalue()).decode())


def test_records_round_trip():
    examples = build_examples(
        table([{"text": "a", "label": "x"}, {"text": "b", "label": "y"}]), "text", ColumnMapping()
    )
    assert from_records(to_records(examples, [1, 0])) == (["b", "a"], [1, 0])


def test_summary_guesses_kind_and_counts_labels():
    summary = summarize(table([{"text": "a", "label": "x"}, {"text": "b", "label": "x"}, {"text": "c", "label": "y"}]))
    assert summary["kind"] == "text" and summary["label_counts"] == {"x": 2, "y": 1}
    assert len(summary["preview"]) == 3
