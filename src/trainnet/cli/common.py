"""What every `trainnet` command shares: the console, failing with a message, and reading the settings."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

from trainnet.settings import Settings

console = Console(stderr=True, soft_wrap=True)


def log_with_times() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def configure(data_dir: Path | None = None, api_url: str | None = None) -> Settings:
    """Put CLI options into the environment (so worker subprocesses see them too) and read the settings."""
    from trainnet.settings import get_settings

    if data_dir is not None:
        os.environ["TRAINNET_DATA_DIR"] = str(data_dir.resolve())
    if api_url is not None:
        os.environ["TRAINNET_API_URL"] = api_url
    get_settings.cache_clear()
    return get_settings()


def fail(message: str) -> NoReturn:
    console.print(f"[red]error:[/] {message}")
    raise typer.Exit(1)
