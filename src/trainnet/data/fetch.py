"""Fetch a dataset from an http(s) URL (the seed's upload-then-URL flow) without opening an SSRF hole.

Only http and https; every hop of a redirect chain is checked; hosts that resolve to loopback, private,
link-local (cloud metadata), multicast or reserved addresses are refused unless explicitly allowed; the
size cap is enforced while streaming, with connect/read timeouts.
"""

from __future__ import annotations

import ipaddress
import socket
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlparse

import httpx

from trainnet.data.parsing import DatasetError

MAX_REDIRECTS = 3


class URLRefused(DatasetError):
    pass


def check_url(url: str, allow_private: bool = False) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise URLRefused(f"dataset_url must be an http(s) URL, got {url[:100]!r}")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parsed.hostname, parsed.port or (443 if parsed.scheme == "https" else 80))
    except socket.gaierror:
        raise URLRefused(f"dataset_url host {parsed.hostname!r} does not resolve") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            raise URLRefused(
                f"dataset_url host {parsed.hostname!r} resolves to a non-public address ({address}); "
                "set TRAINNET_ALLOW_PRIVATE_URLS=true to allow internal hosts"
            )


def fetch_dataset(url: str, max_bytes: int, allow_private: bool = False, timeout: float = 10.0) -> tuple[bytes, str]:
    """The file's bytes and a filename (for its format), or DatasetError naming the problem."""
    with httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url, allow_private)
            try:
                with client.stream("GET", url) as response:
                    if response.is_redirect:
                        url = urljoin(url, response.headers.get("location", ""))
                        continue
                    if response.status_code != 200:
                        raise DatasetError(f"dataset_url answered HTTP {response.status_code}")
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        raise DatasetTooLarge(max_bytes)
                    content = bytearray()
                    for chunk in response.iter_bytes():
                        content += chunk
                        if len(content) > max_bytes:
                            raise DatasetTooLarge(max_bytes)
                    return bytes(content), PurePosixPath(urlparse(url).path).name or "download"
            except httpx.HTTPError as exc:
                raise DatasetError(f"dataset_url could not be fetched: {type(exc).__name__}") from None
    raise DatasetError(f"dataset_url redirects more than {MAX_REDIRECTS} times")


class DatasetTooLarge(DatasetError):
    def __init__(self, limit: int):
        super().__init__(f"the file at dataset_url is larger than the {limit // (1024 * 1024)} MB limit")
