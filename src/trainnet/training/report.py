"""The evaluation report of a trained classifier: accuracy, macro-F1, per-class precision/recall/F1/support, the
confusion matrix with label names and the most confident mistakes, from the held-out split's labels and predicted
probabilities. Pure functions of labels, probabilities and inputs."""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from trainnet.data.examples import to_pil

EXAMPLES = 8  # misclassified examples kept in the report
THUMBNAIL_SIDE = 64  # pixels: a misclassified image is shown this big at most
TEXT_CHARS = 300  # characters of a misclassified text kept


def evaluation_report(
    labels: list[int], probabilities: np.ndarray, label_names: list[str], kind: str, inputs: list
) -> dict[str, Any]:
    """The report of predictions `probabilities` (N x classes) against the true `labels` of `inputs`."""
    truth = np.asarray(labels)
    predicted = probabilities.argmax(-1)
    classes = list(range(len(label_names)))
    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, labels=classes, zero_division=0)
    return {
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(f1_score(truth, predicted, labels=classes, average="macro", zero_division=0)),
        "labels": list(label_names),
        "confusion_matrix": confusion_matrix(truth, predicted, labels=classes).tolist(),
        "per_class": [
            {
                "label": name,
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, name in enumerate(label_names)
        ],
        "examples": misclassified_examples(truth, probabilities, label_names, kind, inputs),
    }


def misclassified_examples(
    truth: np.ndarray, probabilities: np.ndarray, label_names: list[str], kind: str, inputs: list, limit: int = EXAMPLES
) -> list[dict[str, Any]]:
    """The `limit` mistakes the model was surest of (they say the most about it), in order of that confidence."""
    predicted = probabilities.argmax(-1)
    confidence = probabilities.max(-1)
    wrong = np.flatnonzero(predicted != truth)
    chosen = wrong[np.argsort(-confidence[wrong], kind="stable")][:limit]
    return [
        {
            "input": shown_input(kind, inputs[i]),
            "label": label_names[truth[i]],
            "predicted": label_names[predicted[i]],
            "score": float(confidence[i]),
        }
        for i in chosen.tolist()
    ]


def shown_input(kind: str, value) -> str:
    """A text, shortened; or an image as a PNG thumbnail `data:` URL a browser shows as it is."""
    if kind == "text":
        text = str(value)
        return text if len(text) <= TEXT_CHARS else text[:TEXT_CHARS] + "…"
    image = to_pil(value)
    image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
