"""A few small thumbnails per class of an image dataset, for the dataset preview."""

from __future__ import annotations

import base64
import io

from trainnet.data.examples import guess_mapping, pixel_columns, to_pil
from trainnet.data.parsing import DatasetError, Table

PER_CLASS = 4
MAX_CLASSES = 20
SIDE = 64


def thumbnails(table: Table, per_class: int = PER_CLASS, max_classes: int = MAX_CLASSES) -> dict[str, list[str]]:
    """{label: [PNG data URL, ...]} from the first images of each class; {} for data that holds no images.

    An image that does not decode is left out (training reports it); classes come in order of first appearance.
    """
    kind, mapping = guess_mapping(table)
    if kind != "image" or mapping.label_column not in table.columns:
        return {}
    pixels = pixel_columns(table.columns)
    column = mapping.image_column or ("image" if not pixels else None)
    shown: dict[str, list[str]] = {}
    for row in table.rows:
        label = row.get(mapping.label_column)
        if label is None or str(label).strip() == "":
            continue
        key = str(int(label)) if isinstance(label, float) and label.is_integer() else str(label).strip()
        if key not in shown and len(shown) >= max_classes:
            continue
        images = shown.setdefault(key, [])
        if len(images) >= per_class:
            continue
        value = row.get(column) if column else [row.get(c) for c in pixels]
        if (url := _thumbnail(value)) is not None:
            images.append(url)
    return {label: urls for label, urls in shown.items() if urls}


def _thumbnail(value) -> str | None:
    try:
        image = to_pil(value)
    except (DatasetError, TypeError, ValueError):
        return None
    image.thumbnail((SIDE, SIDE))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
