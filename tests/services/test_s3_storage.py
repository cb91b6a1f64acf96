"""The S3 backend against a real S3 endpoint over HTTP (moto's server): the same interface as the local one,
multipart uploads for large objects, streamed downloads, and errors a caller can act on."""

import pytest

from trainnet.settings import Settings
from trainnet.storage import StorageError, make_storage
from trainnet.storage.s3 import MIN_PART_SIZE, S3Storage

pytestmark = pytest.mark.services


@pytest.fixture
def storage(s3_server) -> S3Storage:
    return S3Storage(s3_server.endpoint, s3_server.access_key, s3_server.secret_key, multipart_threshold=MIN_PART_SIZE)


def test_settings_with_minio_endpoint_make_an_s3_storage(s3_server):
    settings = Settings(minio_endpoint=s3_server.endpoint, minio_access_key="a", minio_secret_key="b")
    storage = make_storage(settings)
    assert isinstance(storage, S3Storage) and storage.client.meta.endpoint_url == f"http://{s3_server.endpoint}"


def test_objects_round_trip_and_buckets_are_created_on_first_use(storage, s3_server, tmp_path):
    storage.put_bytes("fresh-bucket", "a/b/c.json", b'{"x": 1}')
    assert "fresh-bucket" in {b["Name"] for b in s3_server.client().list_buckets()["Buckets"]}
    assert storage.get_bytes("fresh-bucket", "a/b/c.json") == b'{"x": 1}'
    assert storage.exists("fresh-bucket", "a/b/c.json") and not storage.exists("fresh-bucket", "a/b/d.json")
    assert storage.size("fresh-bucket", "a/b/c.json") == 8

    folder = tmp_path / "model"
    (folder / "sub").mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    (folder / "sub" / "weights.bin").write_bytes(b"\0" * 100)
    storage.put_dir("fresh-bucket", "models/m1", folder)
    assert storage.list("fresh-bucket", "models/") == ["models/m1/config.json", "models/m1/sub/weights.bin"]
    copy = storage.get_dir("fresh-bucket", "models/m1", tmp_path / "copy")
    assert (copy / "sub" / "weights.bin").read_bytes() == b"\0" * 100

    storage.delete_prefix("fresh-bucket", "models/")
    assert storage.list("fresh-bucket", "models/") == []
    assert storage.list("no-such-bucket", "") == []


def test_large_files_and_bytes_go_up_as_multipart_uploads(storage, s3_server, tmp_path):
    big = tmp_path / "big.bin"
    payload = bytes(range(256)) * (11 * 4096)  # 11 MiB: three parts of at least 5 MiB
    big.write_bytes(payload)
    storage.put_file("artifacts", "big/file.bin", big)
    storage.put_bytes("artifacts", "big/bytes.bin", payload)
    for key in ("big/file.bin", "big/bytes.bin"):
        etag = s3_server.client().head_object(Bucket="artifacts", Key=key)["ETag"]
        assert etag.strip('"').endswith("-3"), f"{key} was not uploaded in 3 parts: {etag}"

    storage.get_file("artifacts", "big/file.bin", tmp_path / "down" / "big.bin")
    assert (tmp_path / "down" / "big.bin").read_bytes() == payload
    small = S3Storage(s3_server.endpoint, s3_server.access_key, s3_server.secret_key)
    small.put_bytes("artifacts", "small.bin", b"tiny")
    assert "-" not in s3_server.client().head_object(Bucket="artifacts", Key="small.bin")["ETag"]


def test_downloads_stream_in_chunks(storage, tmp_path):
    payload = b"x" * (3 * 1024 * 1024 + 5)
    storage.put_bytes("datasets", "ds/data.csv", payload)
    chunks = list(storage.open_stream("datasets", "ds/data.csv", chunk_size=1024 * 1024))
    assert len(chunks) == 4 and b"".join(chunks) == payload


def test_missing_objects_and_bad_keys_raise_storage_errors(storage, tmp_path):
    storage.put_bytes("datasets", "present.txt", b"1")
    for call in (
        lambda: storage.get_bytes("datasets", "absent.txt"),
        lambda: storage.get_file("datasets", "absent.txt", tmp_path / "x"),
        lambda: storage.open_stream("datasets", "absent.txt"),
        lambda: storage.size("datasets", "absent.txt"),
        lambda: storage.get_dir("datasets", "absent", tmp_path / "y"),
    ):
        with pytest.raises(StorageError, match="does not exist|nothing stored"):
            call()
    with pytest.raises(StorageError, match="invalid storage key"):
        storage.put_bytes("datasets", "../escape", b"1")
