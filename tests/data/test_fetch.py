"""`dataset_url` fetching: the address that was checked is the one connected to (no DNS rebinding)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from trainnet.data.fetch import URLRefused, check_url, fetch_dataset, pinned_request


def test_the_request_goes_to_the_checked_address_with_the_host_name_kept():
    assert pinned_request("https://data.example.org/a/b.csv?x=1", "93.184.216.34") == (
        "https://93.184.216.34/a/b.csv?x=1",
        {"Host": "data.example.org"},
        {"sni_hostname": "data.example.org"},
    )
    assert pinned_request("http://data.example.org:8080/b.csv", "2606:2800:220:1::1") == (
        "http://[2606:2800:220:1::1]:8080/b.csv",
        {"Host": "data.example.org:8080"},
        {},
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/x.csv",
        "http://127.0.0.1:6379/",
        "http://169.254.169.254/latest",
        "http://[::1]/x.csv",
        "http://10.0.0.8/x.csv",
        "ftp://example.org/x.csv",
    ],
)
def test_internal_hosts_and_other_schemes_are_refused(url):
    with pytest.raises(URLRefused):
        check_url(url)


def test_a_fetch_by_host_name_reaches_the_resolved_address_and_sends_the_host_name():
    seen = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            seen["host"] = self.headers["Host"]
            body = b"text,label\nhello,a\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        with pytest.raises(URLRefused):
            fetch_dataset(f"http://localhost:{port}/reviews.csv", 1024)
        content, name = fetch_dataset(f"http://localhost:{port}/reviews.csv", 1024, allow_private=True)
    finally:
        server.shutdown()
    assert (content, name, seen["host"]) == (b"text,label\nhello,a\n", "reviews.csv", f"localhost:{port}")
