"""The evaluation report: metrics, confusion matrix and misclassified examples from labels and probabilities."""

import base64
import io
import re

import numpy as np
from markdown_it import MarkdownIt
from PIL import Image

from tests.training.test_model_io import HOSTILE_LABELS, METRICS
from trainnet.training.model_io import evaluation_markdown, model_card
from trainnet.training.report import EXAMPLES, TEXT_CHARS, evaluation_report, shown_input


def one_hot(predicted: list[int], classes: int, confidence: list[float] | None = None) -> np.ndarray:
    """Probabilities whose argmax is `predicted`, with that label's probability `confidence` (default 0.9)."""
    confidence = confidence or [0.9] * len(predicted)
    rows = np.full((len(predicted), classes), 0.0)
    for i, (p, c) in enumerate(zip(predicted, confidence)):
        rows[i] = (1 - c) / (classes - 1)
        rows[i, p] = c
    return rows


def test_the_report_counts_each_true_label_against_each_prediction():
    truth = [0, 0, 0, 1, 1, 2]
    predicted = [0, 0, 1, 1, 2, 2]
    report = evaluation_report(truth, one_hot(predicted, 3), ["cat", "dog", "eel"], "text", list("abcdef"))
    assert report["labels"] == ["cat", "dog", "eel"]
    assert report["confusion_matrix"] == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert report["accuracy"] == 4 / 6
    cat, dog, eel = report["per_class"]
    assert cat == {"label": "cat", "precision": 1.0, "recall": 2 / 3, "f1": 0.8, "support": 3}
    assert dog["precision"] == 0.5 and dog["recall"] == 0.5 and dog["support"] == 2
    assert eel["precision"] == 0.5 and eel["recall"] == 1.0
    assert report["macro_f1"] == np.mean([c["f1"] for c in report["per_class"]])


def test_a_label_absent_from_the_split_still_has_its_row_and_column():
    report = evaluation_report([0, 0], one_hot([0, 2], 3), ["a", "b", "c"], "text", ["x", "y"])
    assert report["confusion_matrix"] == [[1, 0, 1], [0, 0, 0], [0, 0, 0]]
    assert report["per_class"][1] == {"label": "b", "precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}


def test_the_examples_are_the_surest_mistakes_first_and_at_most_eight():
    n = 12
    truth = [0] * n
    confidence = [0.5 + i / 100 for i in range(n)]
    predicted = [1] * (n - 1) + [0]  # the last one (the surest) is right
    report = evaluation_report(
        truth, one_hot(predicted, 2, confidence), ["no", "yes"], "text", [f"t{i}" for i in range(n)]
    )
    examples = report["examples"]
    assert len(examples) == EXAMPLES
    assert [e["input"] for e in examples] == [f"t{i}" for i in range(10, 2, -1)]
    assert examples[0] == {"input": "t10", "label": "no", "predicted": "yes", "score": 0.6}


def test_a_long_text_is_shortened_and_an_image_becomes_a_small_png_data_url():
    assert shown_input("text", "x" * 1000) == "x" * TEXT_CHARS + "…"
    pixels = [(i * 7) % 256 for i in range(28 * 28)]
    small = shown_input("image", pixels)
    assert small.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(small.split(",", 1)[1])))
    assert image.format == "PNG" and image.size == (28, 28)
    big = io.BytesIO()
    Image.new("RGB", (400, 200), "red").save(big, format="JPEG")
    shown = shown_input("image", base64.b64encode(big.getvalue()).decode())
    assert Image.open(io.BytesIO(base64.b64decode(shown.split(",", 1)[1]))).size == (64, 32)


def test_the_model_card_shows_the_per_class_table_and_the_confusion_matrix_with_escaped_labels():
    labels = HOSTILE_LABELS[:3]
    report = evaluation_report([0, 1, 2, 2], one_hot([0, 1, 1, 2], 3), labels, "text", list("abcd"))
    card = model_card("distilbert", {"kind": "text"}, METRICS, {}, "d.csv", labels, report)
    rendered = MarkdownIt("commonmark").enable("table").render(card.split("---\n", 2)[2])
    assert "<h2>Evaluation</h2>" in rendered and "<script" not in rendered and "<img" not in rendered
    tables = re.findall(r"<table>.*?</table>", rendered, re.S)
    per_class, matrix = tables[-2], tables[-1]
    assert "<th>precision</th>" in per_class and per_class.count("<tr>") == 1 + 3
    cells = [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", matrix, re.S)[1:]]
    assert [row[1:] for row in cells] == [["1", "0", "0"], ["0", "1", "0"], ["0", "1", "1"]]
    assert "&lt;img src" in cells[2][0]


def test_a_card_of_many_labels_leaves_the_matrix_to_the_json_file():
    labels = [f"l{i}" for i in range(30)]
    report = evaluation_report(list(range(30)), one_hot(list(range(30)), 30), labels, "text", labels)
    section = evaluation_markdown(report)
    assert "| l29 | 1.0000 |" in section and "confusion matrix of the 30 labels is in `evaluation.json`" in section
