"""Turn a parsed table into labelled examples for a model kind (text or image), and back to JSONL records.

Text: a text column and a label column. Image: a label column plus either pixel columns `pixel0..pixelN`
(square, grayscale 0-255, MNIST/Kaggle style) or a column of base64-encoded PNG/JPEG images.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import math
import re
import warnings
from collections import Counter
from dataclasses import dataclass

from trainnet.data.parsing import DatasetError, Scalar, Table

KINDS = ("text", "image")
PIXEL_COLUMN = re.compile(r"^pixel(\d+)$")
MAX_IMAGE_PIXELS = 4096 * 4096


class TooLarge(DatasetError):
    """The data is well formed but over a size bound (the API answers 413)."""


@dataclass(frozen=True)
class ColumnMapping:
    label_column: str = "label"
    text_column: str | None = None
    image_column: str | None = None


@dataclass
class Examples:
    """Inputs with integer labels; `label_names[i]` is the user's name of label i."""

    kind: str
    inputs: list  # str for text; list[int] pixels or base64 str for images
    labels: list[int]
    label_names: list[str]

    def __len__(self) -> int:
        return len(self.labels)


def pixel_columns(columns: list[str]) -> list[str]:
    """The `pixelN` columns in index order, or [] if there are none."""
    found = [(int(m.group(1)), c) for c in columns if (m := PIXEL_COLUMN.match(c))]
    return [c for _, c in sorted(found)]


def guess_mapping(table: Table) -> tuple[str | None, ColumnMapping]:
    """The kind of data and the columns to use, by the platform's naming conventions."""
    label = "label" if "label" in table.columns else None
    if "instruction" in table.columns:
        return "instructions", ColumnMapping(label_column=label or "label")
    if pixel_columns(table.columns) or "image" in table.columns:
        image = "image" if "image" in table.columns else None
        return "image", ColumnMapping(label_column=label or "label", image_column=image)
    text = "text" if "text" in table.columns else None
    kind = "text" if text else None
    return kind, ColumnMapping(label_column=label or "label", text_column=text)


def summarize(table: Table) -> dict:
    """What the upload response shows: the guessed kind and columns, label counts and a short preview."""
    kind, mapping = guess_mapping(table)
    label_counts = None
    if mapping.label_column in table.columns:
        counts = Counter(_label_key(row.get(mapping.label_column)) for row in table.rows)
        label_counts = {str(k): v for k, v in counts.most_common(50) if k is not None}
    shown = table.columns[:20]
    preview = [{c: _shorten(row.get(c)) for c in shown} for row in table.rows[:5]]
    return {
        "kind": kind,
        "label_column": mapping.label_column if mapping.label_column in table.columns else None,
        "text_column": mapping.text_column,
        "image_column": mapping.image_column or ("pixel0..pixelN" if pixel_columns(table.columns) else None),
        "label_counts": label_counts,
        "preview": preview,
    }


def build_examples(table: Table, kind: str, mapping: ColumnMapping) -> Examples:
    """Check the table fits `kind` and return its examples; raises DatasetError naming the problem."""
    if kind not in KINDS:
        raise DatasetError(f"unknown data kind {kind!r}")
    _require_column(table, mapping.label_column, "label", "label_column")
    if kind == "text":
        text_column = mapping.text_column or "text"
        _require_column(table, text_column, "text", "text_column")
        inputs = [_text_value(row.get(text_column), i, text_column) for i, row in enumerate(table.rows)]
    else:
        inputs = _image_inputs(table, mapping.image_column)
    raw_labels = [_label_value(row.get(mapping.label_column), i) for i, row in enumerate(table.rows)]
    label_names = sorted(set(raw_labels), key=_label_sort_key)
    if len(label_names) < 2:
        raise DatasetError(
            f"column {mapping.label_column!r} has a single class ({label_names[0]!r}): "
            "classification needs at least two"
        )
    index = {name: i for i, name in enumerate(label_names)}
    return Examples(kind, inputs, [index[v] for v in raw_labels], [str(n) for n in label_names])


def table_inputs(table: Table, kind: str, mapping: ColumnMapping) -> list:
    """The inputs of an unlabelled table (rows to score), read as `build_examples` reads a labelled one."""
    if kind == "text":
        text_column = mapping.text_column or "text"
        _require_column(table, text_column, "text", "text_column")
        return [_text_value(row.get(text_column), i, text_column) for i, row in enumerate(table.rows)]
    if kind == "image":
        return _image_inputs(table, mapping.image_column)
    raise DatasetError(f"unknown data kind {kind!r}")


def check_images(examples: Examples) -> None:
    """Decode every image once so that a broken one is reported now, not in a worker."""
    if examples.kind == "image":
        for row, value in enumerate(examples.inputs, start=1):
            to_pil(value, row)


def to_pil(value, row: int | None = None, max_pixels: int = MAX_IMAGE_PIXELS, row_name: str = "row"):
    """A PIL RGB image from a pixel list (square grayscale), a base64 PNG/JPEG string (or its data: URL), the
    PNG/JPEG file's bytes, or a PIL image decoded already. Over `max_pixels` (at most MAX_IMAGE_PIXELS) raises
    TooLarge before decoding; `row_name` names what `row` counts in messages."""
    from PIL import Image

    if isinstance(value, Image.Image):
        return value.convert("RGB")
    where = f"{row_name} {row}: " if row is not None else ""
    if isinstance(value, list):
        side = math.isqrt(len(value))
        if side * side != len(value):
            raise DatasetError(f"{where}{len(value)} pixel values do not form a square image")
        data = bytes(max(0, min(255, int(v))) for v in value)
        return Image.frombytes("L", (side, side), data).convert("RGB")
    try:
        if isinstance(value, bytes):
            raw = value
        else:
            raw = base64.b64decode(value.split(",", 1)[-1] if value.startswith("data:") else value, validate=True)
    except (binascii.Error, ValueError, AttributeError):
        raise DatasetError(f"{where}the image column does not hold base64 data") from None
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
            if image.format not in {"PNG", "JPEG"}:
                raise DatasetError(f"{where}image format {image.format} is not supported: use PNG or JPEG")
            if image.width * image.height > max_pixels:
                raise Image.DecompressionBombError
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        limit = min(max_pixels, MAX_IMAGE_PIXELS)
        raise TooLarge(f"{where}the image is larger than {limit} pixels") from None
    except DatasetError:
        raise
    except Exception:
        raise DatasetError(f"{where}the image cannot be decoded as PNG or JPEG") from None
    return image.convert("RGB")


def to_records(examples: Examples, indices: list[int]) -> bytes:
    """JSONL of the chosen examples, the format shards and evaluation splits are stored in."""
    key = "text" if examples.kind == "text" else "image"
    lines = [json.dumps({key: examples.inputs[i], "label": examples.labels[i]}) for i in indices]
    return ("\n".join(lines) + "\n").encode()


def from_records(content: bytes) -> tuple[list, list[int]]:
    """Inputs and labels back from `to_records` output."""
    inputs, labels = [], []
    for line in content.decode().splitlines():
        if line:
            record = json.loads(line)
            inputs.append(record.get("text", record.get("image")))
            labels.append(int(record["label"]))
    return inputs, labels


def _image_inputs(table: Table, image_column: str | None) -> list:
    pixels = pixel_columns(table.columns)
    if image_column or not pixels:
        column = image_column or "image"
        if column not in table.columns:
            raise DatasetError(
                "image data needs pixel columns pixel0..pixelN or a column of base64 images "
                f"(column {column!r} not found; columns are {_names(table.columns)})"
            )
        values = []
        for i, row in enumerate(table.rows):
            value = row.get(column)
            if not isinstance(value, str) or not value.strip():
                raise DatasetError(f"row {i + 1}: column {column!r} is empty")
            values.append(value.strip())
        return values
    if math.isqrt(len(pixels)) ** 2 != len(pixels):
        raise DatasetError(f"{len(pixels)} pixel columns do not form a square image")
    inputs = []
    for i, row in enumerate(table.rows):
        cells = [row.get(c) for c in pixels]
        if any(not isinstance(v, (int, float)) or isinstance(v, bool) for v in cells):
            raise DatasetError(f"row {i + 1}: pixel values must be numbers from 0 to 255")
        inputs.append([int(v) for v in cells])  # type: ignore[arg-type]  # numbers, checked above
    return inputs


def _require_column(table: Table, column: str | None, role: str, option: str) -> None:
    if not column or column not in table.columns:
        raise DatasetError(
            f"no {role} column: expected a column named {column or role!r} "
            f"(set {option} to one of {_names(table.columns)})"
        )


def _names(columns: list[str]) -> str:
    shown = ", ".join(repr(c) for c in columns[:10])
    return shown + (f", … ({len(columns)} in all)" if len(columns) > 10 else "")


def _text_value(value: Scalar, row: int, column: str) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DatasetError(f"row {row + 1}: column {column!r} is empty")
    return str(value)


def _label_key(value: Scalar):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip() or None
    return value


def _label_value(value: Scalar, row: int) -> int | str:
    key = _label_key(value)
    if key is None:
        raise DatasetError(f"row {row + 1}: the label is empty")
    if isinstance(key, float):
        raise DatasetError(f"row {row + 1}: label {value!r} is not a class name or an integer")
    return key if isinstance(key, int) and not isinstance(key, bool) else str(key)


def _label_sort_key(value: int | str):
    return (0, value, "") if isinstance(value, int) else (1, 0, value)


def _shorten(value, limit: int = 120) -> Scalar:
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + "…"
    return value
