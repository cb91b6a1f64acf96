"""A newcomer trains a model through the web UI of a real `trainnet serve`, driven by headless Chromium.

Relies on two fixtures from tests/conftest.py: `live_server` (base URL of a running server with embedded
workers and a built web/dist) and `artifacts_dir` (a pathlib.Path where screenshots are saved); the browser
and pages come from tests/browser/conftest.py.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from playwright.sync_api import Page, Response, expect

from tests.browser.conftest import detail_lines, download_zip, screenshot_both_sizes
from tests.conftest import TINY_DISTILBERT

pytestmark = pytest.mark.browser

TRAINING_TIMEOUT_MS = 240_000

POSITIVE = [
    "I love this product",
    "Absolutely wonderful experience",
    "Great quality and fast delivery",
    "This made my day",
    "Fantastic, would buy again",
    "Really happy with it",
    "Excellent service and friendly staff",
    "Works perfectly, highly recommended",
    "Best purchase this year",
    "Brilliant and easy to use",
]
NEGATIVE = [
    "I hate this product",
    "Absolutely terrible experience",
    "Poor quality and slow delivery",
    "This ruined my day",
    "Awful, never buying again",
    "Really disappointed with it",
    "Rude staff and bad service",
    "Broke after one use, avoid",
    "Worst purchase this year",
    "Confusing and hard to use",
]


def text_csv(rows: int = 40) -> bytes:
    """A small two-class sentiment CSV with columns text,label, classes interleaved."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["text", "label"])
    for i in range(rows):
        sentences, label = (POSITIVE, "positive") if i % 2 == 0 else (NEGATIVE, "negative")
        writer.writerow([f"{sentences[(i // 2) % len(sentences)]} #{i}", label])
    return out.getvalue().encode()


@pytest.fixture
def app_url(live_server: str) -> str:
    """The pages of this module open the shared live server."""
    return live_server


def upload(page: Page, path: Path) -> Response:
    """Choose `path` in the dataset file input; returns the server's answer to the upload."""
    with page.expect_response(lambda r: r.url.endswith("/api/datasets") and r.request.method == "POST") as answer:
        page.get_by_label("Dataset file").set_input_files(path)
    return answer.value


def wait_until_finished(page: Page) -> str:
    """Wait for the status badge to settle on done or error; returns that status."""
    badge = page.get_by_test_id("task-card").get_by_test_id("status-badge")
    expect(badge).to_have_attribute("data-status", re.compile("^(done|error)$"), timeout=TRAINING_TIMEOUT_MS)
    return badge.get_attribute("data-status") or ""


def test_newcomer_trains_a_text_model_and_downloads_it(
    web_page: Page, live_server: str, artifacts_dir: Path, tmp_path: Path
) -> None:
    page = web_page
    dataset = tmp_path / "reviews.csv"
    dataset.write_bytes(text_csv(40))

    page.goto("/")
    train_button = page.get_by_role("button", name="Train model")
    expect(page.get_by_test_id("model-option-distilbert")).to_be_visible()
    expect(train_button).to_be_disabled()

    answer = upload(page, dataset)
    assert answer.status == 201, answer.text()
    preview = page.get_by_test_id("dataset-preview")
    expect(preview.get_by_test_id("preview-rows")).to_have_text("40")
    expect(preview.get_by_test_id("label-counts")).to_contain_text("positive")
    expect(preview.get_by_test_id("label-counts")).to_contain_text("negative")
    expect(page.get_by_test_id("column-mapping")).to_have_count(0)

    page.get_by_role("radio", name=re.compile("distilbert")).check()
    page.get_by_test_id("advanced-options").locator("summary").click()
    page.get_by_test_id("option-num_shards").fill("2")
    page.get_by_test_id("option-rounds").fill("2")
    page.get_by_test_id("option-epochs").fill("1")
    expect(train_button).to_be_enabled()
    screenshot_both_sizes(page, artifacts_dir, "train")

    with page.expect_response(lambda r: r.url.endswith("/api/train")) as started:
        train_button.click()
    assert started.value.status == 202, started.value.text()
    page.wait_for_url(re.compile(r"/status/[^/]+$"))
    task_id = unquote(page.url.rsplit("/", 1)[1])
    assert task_id == started.value.json()["task_id"]

    card = page.get_by_test_id("task-card")
    expect(card.get_by_test_id("task-id")).to_have_text(task_id)
    expect(card.get_by_test_id("task-model-type")).to_contain_text("distilbert")
    expect(card.get_by_test_id("task-dataset")).to_have_text(answer.json()["dataset_id"])

    status = wait_until_finished(page)
    if status != "done":
        pytest.fail(f"training ended in {status}: {page.get_by_test_id('task-error').inner_text()}")
    expect(card.get_by_test_id("task-progress")).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_test_id("metrics-table").get_by_test_id("metrics-row")).to_have_count(2)
    expect(page.get_by_test_id("chart-point-accuracy")).to_have_count(2)
    expect(page.get_by_test_id("load-snippet")).to_contain_text("AutoModelForSequenceClassification.from_pretrained")
    expect(page.get_by_test_id("training-budget")).to_contain_text("Stopped: ran the 2 round(s) asked for")
    expect(page.get_by_test_id("baseline").get_by_test_id("baseline-row")).to_have_count(2)
    screenshot_both_sizes(page, artifacts_dir, "status")

    names = download_zip(page, "download-model", tmp_path / "model.zip")
    assert any(name == "config.json" or name.endswith("/config.json") for name in names), names

    # A reload on a client route is served by the API's index.html fallback.
    page.reload()
    expect(page.get_by_test_id("task-card").get_by_test_id("status-badge")).to_have_attribute("data-status", "done")

    page.get_by_test_id("nav-tasks").click()
    expect(page).to_have_url(re.compile(r"/tasks$"))
    row = page.locator(f'[data-testid="task-row"][data-task-id="{task_id}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("distilbert")
    expect(row.get_by_test_id("status-badge")).to_have_attribute("data-status", "done")
    screenshot_both_sizes(page, artifacts_dir, "tasks")
    row.click()
    expect(page).to_have_url(re.compile(rf"/status/{re.escape(task_id)}$"))


def train_reviews(page: Page, live_server: str, **fields) -> str:
    """Upload 40 reviews, train a tiny DistilBERT on them with `fields` through the API, open its status page."""
    dataset = page.request.post(
        f"{live_server}/api/datasets",
        multipart={"file": {"name": "reviews.csv", "mimeType": "text/csv", "buffer": text_csv(40)}},
    )
    assert dataset.status == 201, dataset.text()
    started = page.request.post(
        f"{live_server}/api/train",
        data={
            "dataset_id": dataset.json()["dataset_id"],
            "model_type": "distilbert",
            "model_config": TINY_DISTILBERT,
            **fields,
        },
    )
    assert started.status == 202, started.text()
    task_id = started.json()["task_id"]
    page.goto(f"/status/{task_id}")
    return task_id


def test_a_model_that_does_not_beat_the_baseline_is_flagged_with_what_to_do(
    web_page: Page, live_server: str, artifacts_dir: Path
) -> None:
    """A model that cannot learn (a learning rate of 1e-9) against TF-IDF on words that name the class."""
    page = web_page
    task_id = train_reviews(page, live_server, num_shards=1, rounds=1, epochs=1, warmup_epochs=0, learning_rate=1e-9)
    assert wait_until_finished(page) == "done"
    task = page.request.get(f"{live_server}/api/tasks/{task_id}").json()
    classical = next(b for b in task["baseline"] if b["kind"] == "classical")
    assert classical["accuracy"] > task["rounds"][0]["metrics"]["accuracy"], (classical, task["rounds"])
    warning = page.get_by_test_id("baseline-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Your model does not beat the baseline")
    expect(warning).to_contain_text("TF-IDF + logistic regression")
    expect(warning).to_contain_text("MiniLM")
    screenshot_both_sizes(page, artifacts_dir, "status-baseline-warning")


def test_workers_page_shows_a_live_worker(web_page: Page, artifacts_dir: Path) -> None:
    page = web_page
    page.goto("/")
    page.get_by_test_id("footer-workers").click()
    expect(page).to_have_url(re.compile(r"/workers$"))
    worker = page.get_by_test_id("worker-row").first
    expect(worker).to_be_visible(timeout=30_000)
    expect(worker.get_by_test_id("worker-heartbeat")).to_have_text(re.compile(r"ago|just now"))
    screenshot_both_sizes(page, artifacts_dir, "workers")


def test_upload_of_a_file_that_is_not_csv_shows_the_server_message(web_page: Page, tmp_path: Path) -> None:
    page = web_page
    broken = tmp_path / "photo.csv"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")

    page.goto("/train")
    answer = upload(page, broken)
    assert 400 <= answer.status < 500, answer.text()
    error = page.get_by_test_id("upload-error")
    for line in detail_lines(answer):
        expect(error).to_contain_text(line)
    expect(page.get_by_role("button", name="Train model")).to_be_disabled()


def test_training_a_single_class_dataset_shows_the_server_message(web_page: Page, tmp_path: Path) -> None:
    page = web_page
    one_class = tmp_path / "one_class.csv"
    one_class.write_text("text,label\n" + "".join(f"nice thing {i},positive\n" for i in range(20)))

    page.goto("/train")
    upload(page, one_class)
    expect(page.get_by_test_id("dataset-preview")).to_be_visible()
    train_button = page.get_by_role("button", name="Train model")
    expect(train_button).to_be_enabled()
    with page.expect_response(lambda r: r.url.endswith("/api/train")) as refused:
        train_button.click()
    assert 400 <= refused.value.status < 500, refused.value.text()
    error = page.get_by_test_id("train-error")
    for line in detail_lines(refused.value):
        expect(error).to_contain_text(line)
    expect(page).to_have_url(re.compile(r"/train$"))


def test_client_refuses_a_txt_file_without_uploading(web_page: Page, tmp_path: Path) -> None:
    page = web_page
    notes = tmp_path / "notes.txt"
    notes.write_text("text,label\nhi,positive\n")
    uploads: list[str] = []
    page.on("request", lambda request: uploads.append(request.url) if "/api/datasets" in request.url else None)

    page.goto("/train")
    page.get_by_label("Dataset file").set_input_files(notes)
    expect(page.get_by_test_id("upload-error")).to_contain_text(".txt")
    assert uploads == []


def test_a_finished_model_shows_its_evaluation_and_can_be_tried(
    web_page: Page, live_server: str, artifacts_dir: Path, tmp_path: Path
) -> None:
    """Train a tiny model; its status page charts each shard's loss, shows the confusion matrix and the per-class
    table, names the starting weights, and its Try it panel labels a typed text and scores a file to CSV."""
    page = web_page
    task_id = train_reviews(page, live_server, num_shards=2, rounds=2, epochs=1)
    if wait_until_finished(page) != "done":
        pytest.fail(f"training failed: {page.get_by_test_id('task-error').inner_text()}")

    expect(page.get_by_test_id("metrics-chart").get_by_test_id("chart-point-accuracy")).to_have_count(2)
    shard_chart = page.get_by_test_id("shard-loss-card")
    expect(shard_chart.get_by_test_id("shard-loss-legend")).to_have_count(2)
    expect(shard_chart.get_by_test_id("shard-loss-point")).to_have_count(4)  # 2 shards x 2 rounds

    evaluation = page.get_by_test_id("evaluation-card")
    matrix = evaluation.get_by_test_id("confusion-matrix")
    expect(matrix.get_by_test_id("confusion-cell")).to_have_count(4)
    expect(matrix.get_by_role("columnheader", name="negative")).to_be_visible()
    expect(matrix.get_by_role("rowheader", name="positive")).to_be_visible()
    task = page.request.get(f"{live_server}/api/tasks/{task_id}").json()
    report = task["evaluation"]
    counts = [int(cell.get_attribute("data-count") or -1) for cell in matrix.get_by_test_id("confusion-cell").all()]
    assert counts == [count for row in report["confusion_matrix"] for count in row]
    expect(evaluation.get_by_test_id("per-class-row")).to_have_count(2)
    expect(evaluation.get_by_test_id("misclassified-example")).to_have_count(len(report["examples"]))
    weights = page.get_by_test_id("task-weights")
    expect(weights).to_have_text(re.compile(r"^.+, (bundled|hub|local|random init)"))
    expect(weights).to_contain_text(task["base_model"]["name"])

    try_it = page.get_by_test_id("try-it")
    try_it.get_by_label("Text to classify").fill("I love this product, fantastic quality")
    with page.expect_response(lambda r: r.url.endswith("/predict")) as answer:
        try_it.get_by_role("button", name="Predict").click()
    assert answer.value.status == 200, answer.value.text()
    top = answer.value.json()["predictions"][0]
    rows = try_it.get_by_test_id("prediction")
    expect(rows).to_have_count(2)  # top 3 of 2 labels
    expect(rows.first).to_have_attribute("data-label", top[0]["label"])
    assert top[0]["label"] in {"positive", "negative"}
    screenshot_both_sizes(page, artifacts_dir, "status-evaluation")

    to_score = tmp_path / "to_score.csv"
    to_score.write_text("text\nI love this product\nI hate this product\nBest purchase this year\n")
    with page.expect_download() as download_info:
        try_it.get_by_test_id("score-file-input").set_input_files(to_score)
    scored = tmp_path / "scored.csv"
    download_info.value.save_as(scored)
    assert download_info.value.suggested_filename == "to_score-predictions.csv"
    rows_out = list(csv.DictReader(io.StringIO(scored.read_text())))
    assert [row["text"] for row in rows_out] == [
        "I love this product",
        "I hate this product",
        "Best purchase this year",
    ]
    assert all(row["prediction"] in {"positive", "negative"} and 0 <= float(row["score"]) <= 1 for row in rows_out)
    expect(try_it.get_by_test_id("score-file-done")).to_contain_text("to_score-predictions.csv")

    not_csv = tmp_path / "photo.csv"
    not_csv.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")
    with page.expect_response(lambda r: r.url.endswith("/predict")) as refused:
        try_it.get_by_test_id("score-file-input").set_input_files(not_csv)
    assert 400 <= refused.value.status < 500, refused.value.text()
    error = try_it.get_by_test_id("score-file-error")
    for line in detail_lines(refused.value):
        expect(error).to_contain_text(line)
