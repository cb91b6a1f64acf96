"""Storage in a local directory: `<root>/<bucket>/<key>`."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from trainnet.storage.base import Storage, StorageError, check_key


class LocalStorage(Storage):
    def __init__(self, root: Path):
        self.root = Path(root).resolve()

    def _path(self, bucket: str, key: str) -> Path:
        check_key(bucket, key)
        path = (self.root / bucket / key).resolve()
        if not path.is_relative_to(self.root / bucket):
            raise StorageError(f"storage key {key!r} escapes its bucket")
        return path

    def _write_atomically(self, target: Path, write) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                write(handle)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def put_bytes(self, bucket: str, key: str, data: bytes) -> None:
        self._write_atomically(self._path(bucket, key), lambda handle: handle.write(data))

    def put_file(self, bucket: str, key: str, path: Path) -> None:
        with open(path, "rb") as source:
            self._write_atomically(self._path(bucket, key), lambda handle: shutil.copyfileobj(source, handle))

    def get_bytes(self, bucket: str, key: str) -> bytes:
        try:
            return self._path(bucket, key).read_bytes()
        except FileNotFoundError:
            raise StorageError(f"{bucket}/{key} does not exist") from None

    def get_file(self, bucket: str, key: str, path: Path) -> None:
        source = self._path(bucket, key)
        if not source.is_file():
            raise StorageError(f"{bucket}/{key} does not exist")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, path)

    def open_stream(self, bucket: str, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        path = self._path(bucket, key)
        if not path.is_file():
            raise StorageError(f"{bucket}/{key} does not exist")

        def chunks():
            with open(path, "rb") as handle:
                while chunk := handle.read(chunk_size):
                    yield chunk

        return chunks()

    def exists(self, bucket: str, key: str) -> bool:
        return self._path(bucket, key).is_file()

    def size(self, bucket: str, key: str) -> int:
        try:
            return self._path(bucket, key).stat().st_size
        except FileNotFoundError:
            raise StorageError(f"{bucket}/{key} does not exist") from None

    def list(self, bucket: str, prefix: str) -> list[str]:
        base = self.root / bucket
        # Walk only the folder the prefix names, not the bucket: other workers delete other tasks' folders
        # meanwhile, and os.walk skips a folder that vanishes where rglob raised FileNotFoundError.
        folder = base / prefix.rsplit("/", 1)[0] if "/" in prefix else base
        keys = ((Path(top) / name).relative_to(base).as_posix() for top, _, files in os.walk(folder) for name in files)
        return sorted(k for k in keys if k.startswith(prefix) and not k.rsplit("/", 1)[-1].startswith(".tmp-"))

    def delete(self, bucket: str, key: str) -> None:
        path = self._path(bucket, key)
        path.unlink(missing_ok=True)
        parent = path.parent
        try:
            while parent != self.root / bucket and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
        except OSError:  # another worker removed or refilled the folder meanwhile: nothing left to tidy here
            pass
