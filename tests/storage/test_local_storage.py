"""Storage keys cannot leave their bucket: validated by every backend, and resolved paths checked on disk."""

import pytest

from trainnet.storage import LocalStorage, StorageError, check_key


@pytest.mark.parametrize(
    "key",
    [
        "../escape",
        "a/../../escape",
        "/etc/passwd",
        "",
        "a//b",
        "a/./b",
        "a\\..\\b",
        "a/b/",
        ".hidden/x",
        "a\x00b",
        "~/x",
    ],
)
def test_keys_with_traversal_absolute_or_odd_parts_are_invalid(key):
    with pytest.raises(StorageError, match="invalid storage key"):
        check_key("datasets", key)


@pytest.mark.parametrize("bucket", ["..", "../datasets", "a/b", ""])
def test_bucket_names_are_single_safe_names(bucket):
    with pytest.raises(StorageError, match="invalid bucket name"):
        check_key(bucket, "x")


def test_a_symlink_out_of_the_bucket_is_not_followed(tmp_path):
    (tmp_path / "secret.txt").write_text("SECRET")
    storage = LocalStorage(tmp_path / "storage")
    storage.put_bytes("datasets", "ds_1/data.csv", b"text\n")
    (tmp_path / "storage" / "datasets" / "ds_1" / "link.csv").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(StorageError, match="escapes its bucket"):
        storage.get_bytes("datasets", "ds_1/link.csv")


def test_get_dir_refuses_a_listed_key_that_would_land_outside_the_folder(tmp_path):
    """A directory download (the task's base model) writes each key under the target folder; a key with `..`
    (one another S3 client could have put in the bucket) is refused, not written outside."""

    class Tampered(LocalStorage):
        def list(self, bucket, prefix):
            return [f"{prefix}config.json", f"{prefix}../../../evil.txt"]

    storage = Tampered(tmp_path / "storage")
    storage.put_bytes("artifacts", "tasks/t/base/config.json", b"{}")
    with pytest.raises(StorageError, match="invalid storage key"):
        storage.get_dir("artifacts", "tasks/t/base", tmp_path / "out")
    assert not list(tmp_path.rglob("evil.txt"))
