"""The storage interface and key validation shared by every backend."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path

_KEY_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class StorageError(Exception):
    """A storage operation failed or an object does not exist."""


def check_key(bucket: str, key: str) -> None:
    """Buckets and keys are `/`-separated names of safe characters: no `..`, no absolute paths."""
    if not _KEY_PART.match(bucket):
        raise StorageError(f"invalid bucket name {bucket!r}")
    parts = key.split("/")
    if not key or any(not _KEY_PART.match(p) or p in {".", ".."} for p in parts):
        raise StorageError(f"invalid storage key {key!r}")


class Storage(ABC):
    """Objects addressed by (bucket, key). Writes are atomic: readers see the old or the new object."""

    @abstractmethod
    def put_bytes(self, bucket: str, key: str, data: bytes) -> None: ...

    @abstractmethod
    def put_file(self, bucket: str, key: str, path: Path) -> None: ...

    @abstractmethod
    def get_bytes(self, bucket: str, key: str) -> bytes: ...

    @abstractmethod
    def get_file(self, bucket: str, key: str, path: Path) -> None: ...

    @abstractmethod
    def open_stream(self, bucket: str, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]: ...

    @abstractmethod
    def exists(self, bucket: str, key: str) -> bool: ...

    @abstractmethod
    def size(self, bucket: str, key: str) -> int: ...

    @abstractmethod
    def list(self, bucket: str, prefix: str) -> list[str]: ...

    @abstractmethod
    def delete(self, bucket: str, key: str) -> None: ...

    def delete_prefix(self, bucket: str, prefix: str) -> None:
        for key in self.list(bucket, prefix):
            self.delete(bucket, key)

    def put_dir(self, bucket: str, prefix: str, folder: Path) -> None:
        """Upload every file below `folder` under `prefix/`."""
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                self.put_file(bucket, f"{prefix}/{path.relative_to(folder).as_posix()}", path)

    def get_dir(self, bucket: str, prefix: str, folder: Path) -> Path:
        """Download every object under `prefix/` into `folder`, keeping relative paths."""
        keys = self.list(bucket, prefix + "/")
        if not keys:
            raise StorageError(f"nothing stored under {bucket}/{prefix}/")
        for key in keys:
            self.get_file(bucket, key, Path(folder) / key[len(prefix) + 1 :])
        return Path(folder)
