"""Fetch a dataset from an http(s) URL (the seed's upload-then-URL flow) without opening an SSRF hole.

Only http and https; every hop of a redirect chain is checked; hosts that resolve to loopback, private,
link-local (cloud metadata), multicast or reserved addresses are refused unless explicitly allowed; the
size cap is enforced while streaming, with connect/read timeouts. Each hop connects to the very address that
was checked (the Host header and TLS server name keep the host name), so a DNS answer that changes between the
check and the connection (DNS rebinding) cannot lead the fetch inside the fleet.
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


def check_url(url: str, allow_private: bool = False) -> list[str]:
    """The addresses to connect to for `url`, after refusing what is not http(s) or not public."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise URLRefused(f"dataset_url must be an http(s) URL, got {url[:100]!r}")
    try:
        infos = socket.getaddrinfo(
            parsed.hostname, parsed.port or (443 if parsed.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except (socket.gaierror, UnicodeError):
        raise URLRefused(f"dataset_url host {parsed.hostname!r} does not resolve") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    for address in addresses:
        if not allow_private and (not address.is_global or address.is_multicast):
            raise URLRefused(
                f"dataset_url host {parsed.hostname!r} resolves to a non-public address ({address}); "
                "set TRAINNET_ALLOW_PRIVATE_URLS=true to allow internal hosts"
            )
    return list(dict.fromkeys(str(a) for a in addresses))


def pinned_request(url: str, address: str) -> tuple[str, dict, dict]:
    """(url with the host replaced by `address`, headers, httpx extensions) that reach `address` while the
    server still sees the original host name in Host and, over TLS, in SNI and certificate verification."""
    parsed = urlparse(url)
    host = f"[{address}]" if ":" in address else address
    netloc = f"{host}:{parsed.port}" if parsed.port else host
    headers = {"Host": parsed.netloc.rsplit("@", 1)[-1]}
    extensions = {"sni_hostname": parsed.hostname} if parsed.scheme == "https" else {}
    return parsed._replace(netloc=netloc).geturl(), headers, extensions


def fetch_dataset(url: str, max_bytes: int, allow_private: bool = False, timeout: float = 10.0) -> tuple[bytes, str]:
    """The file's bytes and a filename (for its format), or DatasetError naming the problem."""
    with httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            addresses = check_url(url, allow_private)
            try:
                response = _get(client, url, addresses)
                try:
                    if response.is_redirect:
                        url = urljoin(url, response.headers.get("location", ""))
                        continue
                    if response.status_code != 200:
                        raise DatasetError(f"dataset_url answered HTTP {response.status_code}")
                    return _read_capped(response, max_bytes), PurePosixPath(urlparse(url).path).name or "download"
                finally:
                    response.close()
            except httpx.HTTPError as exc:
                raise DatasetError(f"dataset_url could not be fetched: {type(exc).__name__}") from None
    raise DatasetError(f"dataset_url redirects more than {MAX_REDIRECTS} times")


def _get(client: httpx.Client, url: str, addresses: list[str]) -> httpx.Response:
    """Open a streamed GET to the first checked address that accepts the connection."""
    for i, address in enumerate(addresses):
        target, headers, extensions = pinned_request(url, address)
        try:
            return client.send(client.build_request("GET", target, headers=headers, extensions=extensions), stream=True)
        except httpx.ConnectError:
            if i == len(addresses) - 1:
                raise
    raise AssertionError("check_url returns at least one address")


def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise DatasetTooLarge(max_bytes)
    content = bytearray()
    for chunk in response.iter_bytes():
        content += chunk
        if len(content) > max_bytes:
            raise DatasetTooLarge(max_bytes)
    return bytes(content)


class DatasetTooLarge(DatasetError):
    def __init__(self, limit: int):
        super().__init__(f"the file at dataset_url is larger than the {limit // (1024 * 1024)} MB limit")
