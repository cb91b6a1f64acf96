"""The /train page with images and upload limits, in headless Chromium against a real `trainnet serve` (API only,
its upload limit lowered to 1 MB so the browser sends a file the server refuses)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot_both_sizes
from tests.conftest import ServerProcess, class_folder_zip, digit_images

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def small_limit_server(tmp_path_factory) -> ServerProcess:
    server = ServerProcess(
        tmp_path_factory.mktemp("images-ui") / "data", no_workers=True, extra_env={"TRAINNET_MAX_UPLOAD_MB": "1"}
    ).start()
    yield server
    server.stop()


@pytest.fixture
def app_url(small_limit_server: ServerProcess) -> str:
    return small_limit_server.url


def choose(page: Page, path: Path):
    with page.expect_response(lambda r: r.url.endswith("/api/datasets") and r.request.method == "POST") as answer:
        page.get_by_label("Dataset file").set_input_files(path)
    return answer.value


def test_a_zip_of_class_folders_shows_thumbnails_per_class_and_what_was_skipped(
    web_page: Page, tmp_path: Path, artifacts_dir: Path
) -> None:
    page = web_page
    images = digit_images(40)
    archive = tmp_path / "digits.zip"
    archive.write_bytes(class_folder_zip(images))
    page.goto("/")
    page.get_by_test_id("data-formats").locator("summary").click()
    expect(page.get_by_test_id("data-formats")).to_contain_text("metadata.csv")

    answer = choose(page, archive)
    assert answer.status == 201, answer.text()
    preview = page.get_by_test_id("dataset-preview")
    expect(preview.get_by_test_id("preview-kind")).to_have_text("image data")
    expect(preview.get_by_test_id("archive-image-count")).to_have_text("40 images")
    expect(preview.get_by_test_id("thumbnail-class")).to_have_count(10)
    first = preview.get_by_test_id("thumbnail-class").first.get_by_role("img").first
    expect(first).to_have_attribute("alt", "0 example 1")
    assert first.evaluate("img => img.complete && img.naturalWidth") == 8  # a real decoded image
    expect(page.get_by_role("radio", name=re.compile("mobilenet_v2"))).to_be_checked()
    screenshot_both_sizes(page, artifacts_dir, "train-image-zip")


def test_an_upload_over_the_servers_limit_shows_the_413_message(web_page: Page, tmp_path: Path) -> None:
    """The browser allows 10 MB; this server 1 MB. The XHR gets the server's 413 JSON, not a network error."""
    page = web_page
    big = tmp_path / "big.csv"
    big.write_bytes(b"text,label\n" + b"word,pos\n" * (2 * 1024 * 1024 // 9))
    page.goto("/")
    answer = choose(page, big)
    assert answer.status == 413
    expect(page.get_by_test_id("upload-error")).to_contain_text("request body is larger than the 1 MB upload limit")
