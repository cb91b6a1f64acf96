"""Telling a local model directory from a Hugging Face model id, once for every kind of model."""

from __future__ import annotations

from pathlib import Path


def local_path(name: str) -> Path:
    """`name` as a local path, with `~` expanded when that is possible."""
    try:
        return Path(name).expanduser()
    except RuntimeError:  # "~someone" with no such user
        return Path(name)


def is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a name too long to be a path
        return False


def is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def looks_like_hub_id(name: str) -> bool:
    """Whether `name` (not an existing directory) can be a Hugging Face id: `model` or `owner/model`, not a path."""
    return bool(name.strip()) and not name.startswith(("/", ".", "~")) and name.count("/") <= 1 and len(name) <= 200
