"""Scoring inputs with a trained classifier exactly as training saw them: the downloaded model directory with its
tokenizer or image processor, the training encoding (`batches.encode`), softmax probabilities under inference
mode; and the pure parts of the predict API (checking inputs against the bounds, the top labels, the scored CSV)."""

from __future__ import annotations

import csv
import io
import tempfile
import threading
import zipfile
from pathlib import Path

import numpy as np
import torch

from trainnet.data.examples import TooLarge, to_pil
from trainnet.data.parsing import Table
from trainnet.training.batches import encode
from trainnet.training.evaluate import predict_probabilities
from trainnet.training.model_io import load_model

BATCH_SIZE = 32  # inputs encoded and run at once: bounds the memory of a 10,000-image file


class Predictor:
    """A trained classifier loaded once. Calls are serialized: a fast tokenizer refuses concurrent use, and one
    forward pass already uses every torch thread."""

    def __init__(self, kind: str, folder: Path, max_length: int = 128, batch_size: int = BATCH_SIZE):
        self.kind, self.max_length, self.batch_size = kind, max_length, batch_size
        self.model, self.preprocessor = load_model(kind, folder)
        self.model.eval()
        config = self.model.config
        self.labels: list[str] = [config.id2label[i] for i in range(config.num_labels)]
        self._lock = threading.Lock()

    @classmethod
    def from_archive(cls, archive: bytes, kind: str, max_length: int = 128) -> Predictor:
        """Load the model zip a task stores (the download). Weights are read as safetensors only."""
        with tempfile.TemporaryDirectory() as folder:
            with zipfile.ZipFile(io.BytesIO(archive)) as zf:
                zf.extractall(folder)  # zipfile drops absolute paths and `..` from member names
            return cls(kind, Path(folder), max_length)

    def probabilities(self, inputs: list) -> np.ndarray:
        """Softmax probabilities (len(inputs) x labels) of texts, or of images (base64 strings, pixel lists or PIL
        images)."""
        out = []
        with self._lock, torch.inference_mode():
            for start in range(0, len(inputs), self.batch_size):
                chunk = inputs[start : start + self.batch_size]
                data = encode(self.kind, chunk, [0] * len(chunk), self.preprocessor, self.max_length)
                out.append(predict_probabilities(self.model, data, self.batch_size).numpy())
        return np.concatenate(out) if out else np.zeros((0, len(self.labels)), dtype=np.float32)


def top_labels(probabilities: np.ndarray, labels: list[str], k: int) -> list[list[dict]]:
    """Per row, the `k` most probable labels (at most all of them) with their probabilities, most probable first."""
    k = min(k, len(labels))
    order = np.argsort(-probabilities, axis=-1, kind="stable")[:, :k]
    return [[{"label": labels[j], "score": float(row[j])} for j in top] for row, top in zip(probabilities, order)]


def checked_inputs(kind: str, values: list, max_count: int, max_text_chars: int, max_image_pixels: int) -> list:
    """`values` ready for `Predictor.probabilities`: images decoded (a broken one named by its position), every
    bound checked. Raises TooLarge over a bound, DatasetError for an input that cannot be used."""
    if len(values) > max_count:
        raise TooLarge(f"{len(values)} inputs: at most {max_count} are scored in one request")
    if kind == "text":
        for i, value in enumerate(values, start=1):
            if len(value) > max_text_chars:
                raise TooLarge(f"input {i} holds {len(value)} characters; at most {max_text_chars} are supported")
        return list(values)
    return [to_pil(value, i, max_image_pixels, row_name="input") for i, value in enumerate(values, start=1)]


def scored_csv(table: Table, probabilities: np.ndarray, labels: list[str]) -> bytes:
    """`table` as CSV with each row's most probable label and its probability in `prediction` and `score`
    (replacing columns of those names, so a scored file can be scored again)."""
    columns = [c for c in table.columns if c not in ("prediction", "score")] + ["prediction", "score"]
    best = probabilities.argmax(-1)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row, j, scores in zip(table.rows, best.tolist(), probabilities):
        writer.writerow({**row, "prediction": labels[j], "score": f"{float(scores[j]):.6f}"})
    return out.getvalue().encode()
