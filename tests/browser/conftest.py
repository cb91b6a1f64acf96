"""Headless Chromium for the web UI tests: the browser, a fresh page per test, and screenshot helpers.

A test module says which server its pages open by defining an `app_url` fixture (the server's base URL).
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Response, sync_playwright

from tests.conftest import missing_tool

CHROMIUM = os.environ.get("TRAINNET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def detail_lines(response: Response) -> list[str]:
    """The messages of a `{"detail": ...}` error body: the string itself, or each `msg` of a validation list."""
    detail = response.json()["detail"]
    if isinstance(detail, str):
        return [detail]
    return [item["msg"] if isinstance(item, dict) else str(item) for item in detail]


def screenshot_both_sizes(page: Page, artifacts_dir: Path, name: str) -> None:
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.wait_for_timeout(300)  # let the layout settle after the resize
        page.screenshot(path=artifacts_dir / f"{name}-{size['width']}x{size['height']}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def download_zip(page: Page, test_id: str, path: Path) -> list[str]:
    """Click the download link `test_id`, save what it downloads at `path`; returns the names in that zip."""
    with page.expect_download() as download_info:
        page.get_by_test_id(test_id).click()
    download_info.value.save_as(path)
    assert zipfile.is_zipfile(path)
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        missing_tool(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set TRAINNET_CHROMIUM)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def web_page(chromium: Browser, app_url: str) -> Iterator[Page]:
    """A fresh page on `app_url`; fails the test if the app threw an uncaught JavaScript error."""
    context = chromium.new_context(base_url=app_url, viewport=DESKTOP, accept_downloads=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    yield page
    context.close()
    assert not page_errors, f"uncaught errors in the page: {page_errors}"
