"""Storage on any S3-compatible service (MinIO, Supabase Storage's S3 endpoint, AWS S3) through boto3.

Large objects go up as multipart uploads and come down as streamed (ranged) downloads through boto3's transfer
manager, whether they are files or bytes in memory; buckets are created on first use.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from trainnet.storage.base import Storage, StorageError, check_key

MIN_PART_SIZE = 5 << 20  # S3's smallest multipart part


class S3Storage(Storage):
    def __init__(
        self,
        endpoint: str,
        access_key: str | None,
        secret_key: str | None,
        secure: bool = False,
        region: str = "us-east-1",
        multipart_threshold: int = 16 << 20,
    ):
        import boto3
        from boto3.s3.transfer import TransferConfig
        from botocore.config import Config

        url = endpoint if "://" in endpoint else f"{'https' if secure else 'http'}://{endpoint}"
        self.client = boto3.client(
            "s3",
            endpoint_url=url,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            region_name=region,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 5, "mode": "standard"}),
        )
        part_size = max(multipart_threshold, MIN_PART_SIZE)
        self.transfer = TransferConfig(multipart_threshold=part_size, multipart_chunksize=part_size)
        self.region = region
        self._buckets: set[str] = set()

    def _bucket(self, bucket: str) -> str:
        if bucket not in self._buckets:
            from botocore.exceptions import ClientError

            try:
                self.client.head_bucket(Bucket=bucket)
            except ClientError:
                # AWS outside us-east-1 refuses a bucket whose region is not named again
                where = (
                    {}
                    if self.region == "us-east-1"
                    else {"CreateBucketConfiguration": {"LocationConstraint": self.region}}
                )
                try:
                    self.client.create_bucket(Bucket=bucket, **where)
                except ClientError as exc:
                    if "BucketAlreadyOwnedByYou" not in str(exc):
                        raise StorageError(f"cannot create bucket {bucket}: {exc}") from None
            self._buckets.add(bucket)
        return bucket

    def _missing(self, exc, bucket, key) -> StorageError:
        code = str(exc.response.get("Error", {}).get("Code", "")) if hasattr(exc, "response") else ""
        if code in ("404", "NoSuchKey", "NoSuchBucket", "NotFound"):
            return StorageError(f"{bucket}/{key} does not exist")
        return StorageError(f"cannot read {bucket}/{key}: {exc}")

    def put_bytes(self, bucket: str, key: str, data: bytes) -> None:
        check_key(bucket, key)
        self.client.upload_fileobj(io.BytesIO(data), self._bucket(bucket), key, Config=self.transfer)

    def put_file(self, bucket: str, key: str, path: Path) -> None:
        check_key(bucket, key)
        self.client.upload_file(str(path), self._bucket(bucket), key, Config=self.transfer)

    def get_bytes(self, bucket: str, key: str) -> bytes:
        check_key(bucket, key)
        try:
            return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()
        except self.client.exceptions.ClientError as exc:
            raise self._missing(exc, bucket, key) from None

    def get_file(self, bucket: str, key: str, path: Path) -> None:
        check_key(bucket, key)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.client.download_file(bucket, key, str(path), Config=self.transfer)
        except self.client.exceptions.ClientError as exc:
            raise self._missing(exc, bucket, key) from None

    def open_stream(self, bucket: str, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        check_key(bucket, key)
        try:
            body = self.client.get_object(Bucket=bucket, Key=key)["Body"]
        except self.client.exceptions.ClientError as exc:
            raise self._missing(exc, bucket, key) from None
        return body.iter_chunks(chunk_size)

    def exists(self, bucket: str, key: str) -> bool:
        check_key(bucket, key)
        try:
            self.client.head_object(Bucket=bucket, Key=key)
            return True
        except self.client.exceptions.ClientError:
            return False

    def size(self, bucket: str, key: str) -> int:
        check_key(bucket, key)
        try:
            return int(self.client.head_object(Bucket=bucket, Key=key)["ContentLength"])
        except self.client.exceptions.ClientError as exc:
            raise self._missing(exc, bucket, key) from None

    def list(self, bucket: str, prefix: str) -> list[str]:
        keys = []
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
                keys += [item["Key"] for item in page.get("Contents", [])]
        except self.client.exceptions.NoSuchBucket:
            return []
        return sorted(keys)

    def delete(self, bucket: str, key: str) -> None:
        check_key(bucket, key)
        self.client.delete_object(Bucket=bucket, Key=key)
