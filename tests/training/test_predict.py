"""The predictor and the pure parts of the predict API, on tiny real models saved as users download them."""

import base64
import io
import zipfile

import numpy as np
import pytest
import torch
from PIL import Image
from transformers import (
    AutoImageProcessor,
    AutoModelForImageClassification,
    AutoModelForSequenceClassification,
    AutoTokenizer,
)

from tests.conftest import TINY_DISTILBERT, TINY_MOBILENET, text_rows
from trainnet.data.examples import TooLarge
from trainnet.data.parsing import DatasetError, parse_table
from trainnet.training.model_io import write_model_dir, zip_dir
from trainnet.training.model_zoo import MODEL_TYPES, build_initial_model
from trainnet.training.predict import Predictor, checked_inputs, scored_csv, top_labels

TEXTS = ["great movie loved it", "boring and awful", "a " * 300 + "long one"]


def saved_model(tmp_path, model_type: str, labels: list[str]) -> bytes:
    """A freshly built classifier written and zipped as the finalizer stores it."""
    texts = [r["text"] for r in text_rows(10)]
    overrides = TINY_DISTILBERT if model_type == "distilbert" else TINY_MOBILENET
    model, preprocessor, _ = build_initial_model(
        MODEL_TYPES[model_type], labels, texts, image_size=32, config_overrides=dict(overrides)
    )
    folder = write_model_dir(model, preprocessor, tmp_path / "model", {}, "card")
    return zip_dir(folder, tmp_path / "model.zip").read_bytes()


def png_base64(side: int, color=(200, 30, 30)) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (side, side), color).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_text_predictions_equal_plain_transformers_on_the_downloaded_model(tmp_path):
    archive = saved_model(tmp_path, "distilbert", ["neg", "pos", "meh"])
    predictor = Predictor.from_archive(archive, "text", max_length=512)
    zipfile.ZipFile(io.BytesIO(archive)).extractall(tmp_path / "plain")
    model = AutoModelForSequenceClassification.from_pretrained(tmp_path / "plain").eval()
    tokenizer = AutoTokenizer.from_pretrained(tmp_path / "plain")
    with torch.no_grad():
        expected = model(**tokenizer(TEXTS, padding=True, truncation=True, return_tensors="pt")).logits.softmax(-1)
    assert predictor.labels == ["neg", "pos", "meh"]
    assert np.allclose(predictor.probabilities(TEXTS), expected.numpy(), atol=1e-5)


def test_image_predictions_equal_plain_transformers_on_the_downloaded_model(tmp_path):
    archive = saved_model(tmp_path, "mobilenet_v2", ["0", "1"])
    predictor = Predictor.from_archive(archive, "image")
    zipfile.ZipFile(io.BytesIO(archive)).extractall(tmp_path / "plain")
    model = AutoModelForImageClassification.from_pretrained(tmp_path / "plain").eval()
    processor = AutoImageProcessor.from_pretrained(tmp_path / "plain")
    images = [png_base64(40), png_base64(20, (0, 0, 255))]
    pil = [Image.open(io.BytesIO(base64.b64decode(b))).convert("RGB") for b in images]
    with torch.no_grad():
        expected = model(**processor(images=pil, return_tensors="pt")).logits.softmax(-1)
    got = predictor.probabilities(checked_inputs("image", images, 10, 100, 10_000))
    assert np.allclose(got, expected.numpy(), atol=1e-5)


def test_top_labels_are_the_k_most_probable_and_k_is_capped_at_the_label_count():
    probabilities = np.array([[0.1, 0.7, 0.2], [0.5, 0.25, 0.25]])
    assert top_labels(probabilities, ["a", "b", "c"], 2) == [
        [{"label": "b", "score": 0.7}, {"label": "c", "score": 0.2}],
        [{"label": "a", "score": 0.5}, {"label": "b", "score": 0.25}],
    ]
    assert len(top_labels(probabilities, ["a", "b", "c"], 50)[0]) == 3


def test_inputs_over_a_bound_are_too_large_and_broken_images_are_named_by_position():
    with pytest.raises(TooLarge, match="3 inputs: at most 2"):
        checked_inputs("text", ["a", "b", "c"], 2, 10, 100)
    with pytest.raises(TooLarge, match="input 2 holds 11 characters; at most 10"):
        checked_inputs("text", ["a", "x" * 11], 5, 10, 100)
    with pytest.raises(TooLarge, match="input 1: the image is larger than 100 pixels"):
        checked_inputs("image", [png_base64(11)], 5, 10, 100)
    with pytest.raises(DatasetError, match="input 2: the image column does not hold base64 data"):
        checked_inputs("image", [png_base64(4), "not base64!"], 5, 10, 100)
    assert checked_inputs("image", ["data:image/png;base64," + png_base64(10)], 5, 10, 100)[0].size == (10, 10)


def test_the_scored_csv_keeps_the_rows_and_replaces_earlier_predictions():
    table = parse_table(b'text,prediction,label\nhi,old,x\n"a, b",old,y\n', "d.csv")
    out = scored_csv(table, np.array([[0.2, 0.8], [0.6, 0.4]]), ["neg", "pos"])
    assert out.decode() == 'text,label,prediction,score\nhi,x,pos,0.800000\n"a, b",y,neg,0.600000\n'
