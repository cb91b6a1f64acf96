"""Pipeline B through the web UI of a real `trainnet serve`, driven by headless Chromium: upload seed tasks,
validate them, generate more with an OpenAI-compatible teacher (a real local HTTP server speaking chat
completions), validate those, fine-tune a LoRA adapter on a tiny Llama and download it.

The server is this module's own (one embedded worker, the teacher and small limits in its environment), not the
shared `live_server`, so that its settings cannot leak into the pipeline A tests.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import pytest
from playwright.sync_api import Page, Response, expect

from tests.browser.conftest import detail_lines, download_zip, screenshot_both_sizes
from tests.conftest import SHARED_DATA, ServerProcess
from tests.generate.conftest import ChatStub, _handler

pytestmark = pytest.mark.browser

SEED_FILE = SHARED_DATA / "seed_tasks.jsonl"
MAX_GENERATED = 50
JOB_TIMEOUT_MS = 120_000
# Keeps a LoRA trial on the tiny Llama to a few seconds (the values tests/e2e/test_pipeline_b.py uses).
LORA_SETTINGS = {
    "max_steps": "8",
    "batch_size": "4",
    "max_length": "64",
    "eval_fraction": "0.25",
    "evals_per_trial": "2",
}


@pytest.fixture(scope="module")
def teacher_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(ChatStub()))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


@pytest.fixture(scope="module")
def tiny_llama(tmp_path_factory) -> Path:
    from tests.lora.conftest import build_tiny_llama  # imports torch: only when this module runs

    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="module")
def factory_server(teacher_url: str, tmp_path_factory) -> Iterator[str]:
    server = ServerProcess(
        tmp_path_factory.mktemp("factory-ui") / "data",
        workers=1,
        extra_env={
            "TEACHER_BASE_URL": teacher_url,
            "TEACHER_MODEL": "stub-teacher",
            "TEACHER_API_KEY": "test",
            "TRAINNET_MAX_GENERATED_EXAMPLES": str(MAX_GENERATED),
            "LORA_MAX_TRIALS": "4",
        },
    ).start()
    yield server.url
    server.stop()


@pytest.fixture
def app_url(factory_server: str) -> str:
    """The pages of this module open its own factory server."""
    return factory_server


def upload_seed_tasks(page: Page) -> str:
    """On the Datasets page, choose the seed file, open the uploaded dataset; returns its id."""
    with page.expect_response(lambda r: r.url.endswith("/api/datasets") and r.request.method == "POST") as answer:
        page.get_by_label("Dataset file").set_input_files(SEED_FILE)
    assert answer.value.status == 201, answer.value.text()
    dataset_id = answer.value.json()["dataset_id"]
    expect(page.get_by_test_id("uploaded-dataset")).to_contain_text("175 rows of instructions")
    page.get_by_role("link", name="Open dataset").click()
    expect(page).to_have_url(re.compile(rf"/datasets/{dataset_id}$"))
    return dataset_id


def expect_dataset_status(page: Page, status: str, timeout: int = JOB_TIMEOUT_MS) -> None:
    badge = page.get_by_test_id("dataset-status")
    settled = re.compile(f"^({re.escape(status)}|DELETED|error)$")
    expect(badge).to_have_attribute("data-status", settled, timeout=timeout)
    if badge.get_attribute("data-status") != status:
        ended = badge.get_attribute("data-status")
        pytest.fail(f"dataset ended {ended}, not {status}:\n{page.locator('main').inner_text()}")


def validate(page: Page) -> None:
    with page.expect_response(lambda r: r.url.endswith("/validate")) as answer:
        page.get_by_role("button", name=re.compile("^Validate")).click()
    assert answer.value.status == 202, answer.value.text()
    expect_dataset_status(page, "READY_FOR_FINE_TUNING")
    expect(page.get_by_test_id("rules-passed")).to_be_visible()


def test_user_generates_validates_and_fine_tunes_an_adapter(
    web_page: Page, tiny_llama: Path, artifacts_dir: Path, tmp_path: Path
) -> None:
    page = web_page
    started = time.monotonic()
    page.goto("/")
    page.get_by_test_id("nav-datasets").click()
    expect(page).to_have_url(re.compile(r"/datasets$"))
    seed_id = upload_seed_tasks(page)
    expect(page.get_by_test_id("dataset-status")).to_have_attribute("data-status", "UPLOADED")

    validate(page)
    expect(page.get_by_test_id("metric-records")).to_have_text("175")
    screenshot_both_sizes(page, artifacts_dir, "factory-dataset-seed")

    page.get_by_label("Examples to generate").fill("10")
    page.get_by_role("radio", name=re.compile("OpenAI-compatible")).check()
    page.get_by_test_id("generate-advanced").locator("summary").click()
    page.get_by_label("Prompts per round").fill("2")
    with page.expect_response(lambda r: r.url.endswith("/generate")) as answer:
        page.get_by_role("button", name="Generate").click()
    assert answer.value.status == 202, answer.value.text()
    generated_id = answer.value.json()["dataset_id"]
    expect(page).to_have_url(re.compile(rf"/datasets/{generated_id}$"))
    expect(page.get_by_test_id("dataset-seed")).to_have_text(seed_id)
    expect_dataset_status(page, "GENERATED")
    expect(page.get_by_test_id("dataset-summary")).to_contain_text("10 rows of instructions")
    expect(page.get_by_test_id("download-dataset")).to_be_visible()
    expect(page.get_by_test_id("generation-teacher")).to_contain_text("OpenAI-compatible endpoint · stub-teacher")
    expect(page.get_by_test_id("generation-counts")).to_contain_text(" / 10 / ")
    expect(page.get_by_role("button", name="Fine-tune with LoRA")).to_have_count(0)

    validate(page)
    expect(page.get_by_test_id("metric-records")).to_have_text("10")
    page.get_by_label("Base model").fill(str(tiny_llama))
    page.get_by_label("Trials", exact=True).fill("2")
    page.get_by_test_id("lora-advanced").locator("summary").click()
    for key, value in LORA_SETTINGS.items():
        page.get_by_test_id(f"lora-{key}").fill(value)
    screenshot_both_sizes(page, artifacts_dir, "factory-dataset-ready")

    with page.expect_response(lambda r: r.url.endswith("/api/lora") and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Fine-tune with LoRA").click()
    assert answer.value.status == 202, answer.value.text()
    page.wait_for_url(re.compile(r"/lora/[^/]+$"))
    job_id = unquote(page.url.rsplit("/", 1)[1])
    assert job_id == answer.value.json()["job_id"]
    expect(page.get_by_test_id("lora-dataset")).to_have_text(generated_id)

    badge = page.get_by_test_id("lora-status")
    expect(badge).to_have_attribute("data-status", re.compile("^(done|error)$"), timeout=JOB_TIMEOUT_MS)
    if badge.get_attribute("data-status") != "done":
        pytest.fail(f"LoRA job failed: {page.get_by_test_id('lora-job-error').inner_text()}")
    rows = page.get_by_test_id("trial-row")
    expect(rows).to_have_count(2)
    best = page.locator('[data-testid="trial-row"][data-best="true"]')
    expect(best).to_have_count(1)
    expect(best).to_have_attribute("data-state", "COMPLETE")
    expect(page.get_by_test_id("lora-trials-count")).to_have_text("2 of 2 trials finished")
    expect(page.get_by_test_id("adapter-snippet")).to_contain_text("PeftModel.from_pretrained(base, adapter_dir)")
    screenshot_both_sizes(page, artifacts_dir, "factory-lora")

    names = download_zip(page, "download-adapter", tmp_path / "adapter.zip")
    assert "adapter_config.json" in names, names

    # The study as a chart, and the playground: the same prompt through the base model and base + adapter.
    expect(page.get_by_test_id("trials-chart").get_by_test_id("trial-point")).to_have_count(2)
    expect(page.locator('[data-testid="trial-point"][data-best="true"]')).to_have_count(1)
    try_playground(page)
    screenshot_both_sizes(page, artifacts_dir, "factory-playground")

    page.get_by_test_id("nav-datasets").click()
    job_row = page.locator(f'[data-testid="lora-row"][data-job-id="{job_id}"]')
    expect(job_row.get_by_test_id("status-badge")).to_have_attribute("data-status", "done")
    expect(job_row).to_contain_text("2/2 trials")
    for dataset_id in (seed_id, generated_id):
        row = page.locator(f'[data-testid="dataset-row"][data-dataset-id="{dataset_id}"]')
        expect(row.get_by_test_id("status-badge")).to_have_attribute("data-status", "READY_FOR_FINE_TUNING")
    screenshot_both_sizes(page, artifacts_dir, "factory-datasets")
    print(f"pipeline B through the UI took {time.monotonic() - started:.0f} s")


def try_playground(page: Page) -> None:
    """Type a prompt, generate, and see the two completions the server answered, side by side."""
    page.get_by_label("Prompt", exact=True).fill("Write the number in words.\n\n7")
    page.get_by_label("New tokens").fill("8")
    with page.expect_response(lambda r: r.url.endswith("/generate") and "/api/lora/" in r.url) as answer:
        page.get_by_role("button", name="Generate").click()
    assert answer.value.status == 200, answer.value.text()
    completions = answer.value.json()
    assert set(completions) == {"base", "adapter"}
    empty = "(no text: the model ended its answer at once)"
    for side in ("base", "adapter"):
        text = page.get_by_test_id(f"playground-{side}").get_by_test_id("completion-text")
        expect(text).to_have_text(completions[side].strip() or empty)
    base_box = page.get_by_test_id("playground-base").bounding_box()
    adapter_box = page.get_by_test_id("playground-adapter").bounding_box()
    assert base_box and adapter_box and adapter_box["x"] > base_box["x"] + base_box["width"] / 2  # side by side


def test_lora_waits_for_validation_and_an_over_limit_generation_shows_the_server_message(web_page: Page) -> None:
    page = web_page
    page.goto("/datasets")
    upload_seed_tasks(page)

    expect(page.get_by_role("button", name="Fine-tune with LoRA")).to_have_count(0)
    expect(page.get_by_test_id("lora-blocker")).to_contain_text("READY_FOR_FINE_TUNING")

    page.get_by_label("Examples to generate").fill(str(MAX_GENERATED + 1))
    page.get_by_role("radio", name=re.compile("OpenAI-compatible")).check()
    with page.expect_response(lambda r: r.url.endswith("/generate")) as answer:
        page.get_by_role("button", name="Generate").click()
    refused: Response = answer.value
    assert refused.status == 422, refused.text()
    error = page.get_by_test_id("generate-error")
    for line in detail_lines(refused):
        expect(error).to_contain_text(line)
    expect(error).to_contain_text(f"above the limit of {MAX_GENERATED}")
    expect(page.get_by_test_id("dataset-status")).to_have_attribute("data-status", "UPLOADED")
