"""Baselines a trained model is judged against, fitted on the task's own training rows and scored on its held-out
evaluation split: the majority class, and a classical scikit-learn model (TF-IDF + logistic regression for text,
logistic regression on downscaled grayscale pixels for images). Pure functions of rows and labels."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from trainnet.data.examples import to_pil

# Side of the grayscale thumbnails the image baseline sees: enough for digits and silhouettes, small enough that
# logistic regression fits in seconds on 10 MB of images.
PIXEL_SIDE = 16


def _scores(kind: str, name: str, truth: list[int], predicted: list[int] | np.ndarray) -> dict[str, Any]:
    return {
        "kind": kind,
        "name": name,
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro", zero_division=0)), 4),
    }


def majority_baseline(train_labels: list[int], eval_labels: list[int]) -> dict[str, Any]:
    """Always the most frequent training label."""
    majority = Counter(train_labels).most_common(1)[0][0]
    return _scores("majority", "majority class", eval_labels, [majority] * len(eval_labels))


def text_baseline(
    train_texts: list[str], train_labels: list[int], eval_texts: list[str], eval_labels: list[int]
) -> dict[str, Any]:
    """TF-IDF of words and word pairs, then logistic regression."""
    model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"),
        LogisticRegression(max_iter=1000),
    )
    model.fit(train_texts, train_labels)
    return _scores("classical", "TF-IDF + logistic regression", eval_labels, model.predict(eval_texts))


def pixels(images: list[Any], side: int = PIXEL_SIDE) -> np.ndarray:
    """Images (pixel lists or base64) as rows of `side`×`side` grayscale values in [0, 1]."""
    rows = [np.asarray(to_pil(image).convert("L").resize((side, side)), dtype=np.float32) for image in images]
    return np.stack(rows).reshape(len(rows), -1) / 255.0


def image_baseline(
    train_images: list[Any], train_labels: list[int], eval_images: list[Any], eval_labels: list[int]
) -> dict[str, Any]:
    """Logistic regression on standardized PIXEL_SIDE×PIXEL_SIDE grayscale pixels."""
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(pixels(train_images), train_labels)
    name = f"logistic regression on {PIXEL_SIDE}x{PIXEL_SIDE} pixels"
    return _scores("classical", name, eval_labels, model.predict(pixels(eval_images)))


def baselines(
    kind: str, train_inputs: list[Any], train_labels: list[int], eval_inputs: list[Any], eval_labels: list[int]
) -> list[dict[str, Any]]:
    """The majority and classical baselines; a single-class training set has only the first."""
    found = [majority_baseline(train_labels, eval_labels)]
    if len(set(train_labels)) > 1:
        classical = text_baseline if kind == "text" else image_baseline
        found.append(classical(train_inputs, train_labels, eval_inputs, eval_labels))
    return found
