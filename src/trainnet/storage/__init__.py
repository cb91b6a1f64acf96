"""Object storage for uploads, shard weights and models, behind one small interface.

`LocalStorage` keeps objects in a directory (the embedded default); `S3Storage` talks to any S3-compatible
service. The rest of the code only sees `Storage`.
"""

from trainnet.storage.base import Storage, StorageError, check_key
from trainnet.storage.local import LocalStorage

__all__ = ["Storage", "StorageError", "LocalStorage", "check_key", "make_storage"]


def make_storage(settings) -> Storage:
    """The storage the settings describe: S3 when MINIO_ENDPOINT is set, else the local directory."""
    if settings.minio_endpoint:
        from trainnet.storage.s3 import S3Storage

        return S3Storage(
            endpoint=settings.minio_endpoint,
            access_key=settings.minio_access_key,
            secret_key=settings.minio_secret_key,
            secure=settings.minio_secure,
            region=settings.s3_region,
        )
    return LocalStorage(settings.storage_dir)
