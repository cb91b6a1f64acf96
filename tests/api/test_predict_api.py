"""The evaluation report, the chart data and the predict API of finished tasks, on a real `trainnet serve` that
trains a tiny text model and a tiny image model; checked against the downloaded model run with plain
transformers."""

import base64
import csv
import io
import json
import zipfile

import httpx
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

from tests.conftest import TINY_DISTILBERT, TINY_MOBILENET, digits_rows, to_csv, wait_for_task

TEXTS = ["great movie loved it", "boring and awful", "i fell asleep 7", "superb film " * 40]


@pytest.fixture(scope="module")
def served_api(served):
    with httpx.Client(base_url=served.url, timeout=120) as client:
        yield client


def train(served_api, content: bytes, name: str, **request) -> dict:
    dataset = served_api.post("/api/datasets", files={"file": (name, content)}).json()["dataset_id"]
    body = {"dataset_id": dataset, "num_shards": 2, "rounds": 2, "epochs": 1, **request}
    response = served_api.post("/api/train", json=body)
    assert response.status_code == 202, response.text
    task = wait_for_task(served_api, response.json()["task_id"])
    assert task["status"] == "done", task["error"]
    return task


@pytest.fixture(scope="module")
def text_task(served_api, text_csv):
    return train(served_api, text_csv, "reviews.csv", model_type="distilbert", model_config=TINY_DISTILBERT)


@pytest.fixture(scope="module")
def image_task(served_api):
    rows = to_csv(digits_rows(120))
    return train(
        served_api, rows, "digits.csv", model_type="mobilenet_v2", model_config=TINY_MOBILENET, warmup_epochs=1
    )


def downloaded(served_api, task, folder):
    content = served_api.get(f"/api/tasks/{task['task_id']}/download_model").content
    zipfile.ZipFile(io.BytesIO(content)).extractall(folder)
    return folder


def predict(served_api, task, inputs, top_k=3):
    return served_api.post(f"/api/models/{task['model_id']}/predict", json={"inputs": inputs, "top_k": top_k})


def as_matrix(predictions, labels):
    """Per input, the probability of each label in `labels` order (top_k covered every label)."""
    return np.array([[{p["label"]: p["score"] for p in row}[label] for label in labels] for row in predictions])


def png_of(pixels: list[int]) -> str:
    side = int(len(pixels) ** 0.5)
    buffer = io.BytesIO()
    Image.frombytes("L", (side, side), bytes(min(255, v) for v in pixels)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_a_done_task_reports_its_evaluation_shard_losses_and_starting_weights(served_api, text_task, tmp_path):
    evaluation = text_task["evaluation"]
    kept = text_task["rounds"][text_task["kept_round"]]["metrics"]
    assert evaluation["labels"] == text_task["label_names"] == ["neg", "pos"]
    assert evaluation["accuracy"] == pytest.approx(kept["accuracy"], abs=1e-6)
    assert evaluation["macro_f1"] == pytest.approx(kept["macro_f1"], abs=1e-6)
    matrix = evaluation["confusion_matrix"]
    assert len(matrix) == 2 and sum(map(sum, matrix)) == text_task["info"]["eval_rows"]
    assert [c["support"] for c in evaluation["per_class"]] == [sum(row) for row in matrix]
    assert all(e["label"] != e["predicted"] and 0.5 <= e["score"] <= 1 for e in evaluation["examples"])
    assert "evaluation" not in text_task["info"]
    for r in text_task["rounds"]:
        assert [s["shard"] for s in r["shard_losses"]] == [0, 1]
        shards = {s["index"]: s["train_loss"] for s in text_task["shards"] if s["round"] == r["round"]}
        assert {s["shard"]: s["train_loss"] for s in r["shard_losses"]} == shards
    assert text_task["base_model"] == {"name": "distilbert", "source": "random init"}
    folder = downloaded(served_api, text_task, tmp_path)
    assert json.loads((folder / "evaluation.json").read_text()) == evaluation
    card = (folder / "README.md").read_text()
    assert "| label | precision | recall | F1 | support |" in card and "| true / predicted | neg | pos |" in card


def test_text_predictions_equal_the_downloaded_model_in_plain_transformers(served_api, text_task, tmp_path):
    response = predict(served_api, text_task, TEXTS, top_k=2)
    assert response.status_code == 200, response.text
    predictions = response.json()["predictions"]
    assert all(row[0]["score"] >= row[1]["score"] for row in predictions)
    folder = downloaded(served_api, text_task, tmp_path)
    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    with torch.no_grad():
        expected = model(**tokenizer(TEXTS, padding=True, truncation=True, return_tensors="pt")).logits.softmax(-1)
    labels = [model.config.id2label[i] for i in range(2)]
    assert np.allclose(as_matrix(predictions, labels), expected.numpy(), atol=1e-5)
    top1 = [labels[i] for i in expected.argmax(-1).tolist()]
    assert [row[0]["label"] for row in predictions] == top1


def test_image_predictions_equal_the_downloaded_model_in_plain_transformers(served_api, image_task, tmp_path):
    rows = digits_rows(5)
    images = [png_of([r[f"pixel{i}"] for i in range(64)]) for r in rows]
    response = predict(served_api, image_task, ["data:image/png;base64," + images[0], *images[1:]], top_k=10)
    assert response.status_code == 200, response.text
    predictions = response.json()["predictions"]
    folder = downloaded(served_api, image_task, tmp_path)
    model = AutoModelForImageClassification.from_pretrained(folder).eval()
    processor = AutoImageProcessor.from_pretrained(folder)
    pil = [Image.open(io.BytesIO(base64.b64decode(b))).convert("RGB") for b in images]
    with torch.no_grad():
        expected = model(**processor(images=pil, return_tensors="pt")).logits.softmax(-1).numpy()
    labels = [model.config.id2label[i] for i in range(10)]
    assert np.allclose(as_matrix(predictions, labels), expected, atol=1e-5)
    single = served_api.post(
        f"/api/models/{image_task['model_id']}/predict",
        files={"file": ("digit.png", base64.b64decode(images[0]), "image/png")},
        data={"top_k": "10"},
    )
    assert single.status_code == 200, single.text
    assert np.allclose(as_matrix(single.json()["predictions"], labels), expected[:1], atol=1e-5)
    evaluation = image_task["evaluation"]
    assert all(e["input"].startswith("data:image/png;base64,") for e in evaluation["examples"])


def test_a_table_is_scored_back_as_csv_with_prediction_and_score_columns(served_api, text_task, image_task):
    rows = [{"text": t, "label": "?"} for t in TEXTS]
    response = served_api.post(
        f"/api/models/{text_task['model_id']}/predict", files={"file": ("new.csv", to_csv(rows), "text/csv")}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="new-predictions.csv"'
    scored = list(csv.DictReader(io.StringIO(response.text)))
    top = predict(served_api, text_task, TEXTS, top_k=1).json()["predictions"]
    assert [r["text"] for r in scored] == TEXTS and all(r["label"] == "?" for r in scored)
    assert [r["prediction"] for r in scored] == [p[0]["label"] for p in top]
    assert np.allclose([float(r["score"]) for r in scored], [p[0]["score"] for p in top], atol=1e-6)
    jsonl = "\n".join(json.dumps({"body": t}) for t in TEXTS).encode()
    response = served_api.post(
        f"/api/models/{text_task['model_id']}/predict",
        files={"file": ("new.jsonl", jsonl)},
        data={"text_column": "body"},
    )
    assert response.status_code == 200 and [r["prediction"] for r in csv.DictReader(io.StringIO(response.text))] == [
        p[0]["label"] for p in top
    ]
    pixels = to_csv([{k: v for k, v in r.items() if k != "label"} for r in digits_rows(6)])
    response = served_api.post(f"/api/models/{image_task['model_id']}/predict", files={"file": ("digits.csv", pixels)})
    assert response.status_code == 200, response.text
    assert len(list(csv.DictReader(io.StringIO(response.text)))) == 6


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"inputs": ["x"] * 257}, 413, "257 inputs: at most 256"),
        ({"inputs": ["a", "x" * 20_001]}, 413, "input 2 holds 20001 characters"),
        ({"inputs": []}, 422, "at least 1 item"),
        ({"inputs": "just a string"}, 422, "valid array"),
        ({"inputs": ["a"], "top_k": 0}, 422, "greater than or equal to 1"),
        ({"inputs": ["a"], "extra": 1}, 422, "Extra inputs"),
    ],
)
def test_bad_or_too_big_text_requests_are_4xx(served_api, text_task, body, status, message):
    response = served_api.post(f"/api/models/{text_task['model_id']}/predict", json=body)
    assert response.status_code == status, response.text
    assert message in str(response.json()["detail"])


def test_bad_image_inputs_and_files_are_4xx(served_api, text_task, image_task):
    image_url = f"/api/models/{image_task['model_id']}/predict"
    response = served_api.post(image_url, json={"inputs": [png_of([0] * 64), "not base64!"]})
    assert response.status_code == 422 and "input 2: " in response.json()["detail"]
    gif = base64.b64encode(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").decode()
    assert served_api.post(image_url, json={"inputs": [gif]}).status_code == 422
    response = served_api.post(
        image_url, files={"file": ("big.png", base64.b64decode(png_of([0] * 64)))}, data={"top_k": "x"}
    )
    assert response.status_code == 422 and "top_k must be an integer" in response.json()["detail"]
    assert served_api.post(image_url, data={"top_k": "3"}, files={"other": ("a.png", b"x")}).status_code == 422
    text_url = f"/api/models/{text_task['model_id']}/predict"
    response = served_api.post(text_url, files={"file": ("digit.png", base64.b64decode(png_of([0] * 64)))})
    assert response.status_code == 422 and "classifies text" in response.json()["detail"]
    response = served_api.post(text_url, files={"file": ("new.csv", b"body,label\nhello,x\n")})
    assert response.status_code == 422 and "no text column" in response.json()["detail"]
    response = served_api.post(text_url, content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422


def test_unknown_and_unfinished_models_are_404_and_409(client, upload, text_csv):
    dataset = upload(text_csv).json()["dataset_id"]
    task_id = client.post("/api/train", json={"model_type": "distilbert", "dataset_id": dataset}).json()["task_id"]
    model_id = "model_" + task_id.split("_", 1)[1]
    response = client.post(f"/api/models/{model_id}/predict", json={"inputs": ["hi"]})
    assert response.status_code == 409 and f"its task {task_id} is queued" in response.json()["detail"]
    response = client.post("/api/models/model_0000000000000000/predict", json={"inputs": ["hi"]})
    assert response.status_code == 404 and "not found" in response.json()["detail"]
    assert client.get(f"/api/tasks/{task_id}").json()["evaluation"] is None
