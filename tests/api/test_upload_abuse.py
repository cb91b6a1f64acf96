"""Hostile uploads against the real app: each is refused with a 4xx whose message names the problem, nothing is
stored (no dataset, no task, no file under the storage directory) and the server keeps answering.

Cases test_datasets_api.py already covers with one example each (an .exe, a PNG named .csv, broken JSON) are
extended here with the variants an attacker would try."""

import base64
import io
import json
import struct
import zipfile
import zlib

import httpx
import psutil
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.conftest import text_rows, to_csv
from trainnet.api.app import create_app
from trainnet.data.examples import MAX_IMAGE_PIXELS
from trainnet.settings import MB, Settings


def png(size=(4, 4)) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", size, 200).save(buffer, format="PNG")
    return buffer.getvalue()


def png_bomb(width: int, height: int) -> bytes:
    """A 1-bit greyscale PNG of width x height whose pixels are all black, written row by row: a 20000x20000
    one is 50 MB of pixels in about 50 KB of file, and building it never holds the pixels in memory."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    packer = zlib.compressobj(9)
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def image_csv(first_image: bytes | str) -> bytes:
    """20 rows of base64 images in an `image` column; row 1 holds `first_image`, the others a real tiny PNG."""
    first = first_image if isinstance(first_image, str) else base64.b64encode(first_image).decode()
    good = base64.b64encode(png()).decode()
    return to_csv([{"image": first if i == 0 else good, "label": i % 2} for i in range(20)])


def test_a_body_over_the_limit_is_refused_while_it_streams_in_and_the_server_stays_up(served):
    """Chunked transfer, no Content-Length: only counting the bytes as they arrive can stop it. The server
    answers 413 and its memory does not grow by anything like the 64 MB sent."""
    storage = served.data_dir / "storage"
    body_size = 64 * MB

    def body():
        yield (
            b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\ntext,label\n"
        )
        for _ in range(body_size // (256 * 1024)):
            yield b"x" * (256 * 1024)
        yield b"\r\n--b0undary--\r\n"

    with httpx.Client(base_url=served.url, timeout=60) as http:
        files_before = sorted(storage.rglob("*")) if storage.exists() else []
        datasets_before = http.get("/api/datasets").json()
        process = psutil.Process(served.process.pid)
        rss_before = process.memory_info().rss
        response = http.post(
            "/api/datasets", content=body(), headers={"Content-Type": "multipart/form-data; boundary=b0undary"}
        )
        assert response.status_code == 413, response.text
        assert response.json()["detail"] == "request body is larger than the 10 MB upload limit"
        assert process.memory_info().rss - rss_before < body_size // 2
        assert http.get("/api/").json()["status"] == "ok"
        assert http.get("/api/datasets").json() == datasets_before
    assert (sorted(storage.rglob("*")) if storage.exists() else []) == files_before


@pytest.mark.parametrize(
    ("content", "name", "content_type", "status", "message"),
    [
        (png(), "d.csv", "text/csv", 422, "NUL bytes"),  # an image declared as CSV
        (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64, "data.jsonl", "application/x-ndjson", 422, "NUL bytes"),
        (b"text,label\nhello,1\n", "d.json", "application/json", 422, "not valid JSON"),
        (b'{"text": "a", "label": 1}\n', "d.csv", "text/csv", 422, "holds JSON"),
        (b"<html><script>alert(1)</script></html>", "d.json", "application/json", 422, "not valid JSON"),
        (b"text,label\nhello,1\n", "d.csv.exe", "text/csv", 415, "unsupported file extension .exe"),
        (b"text,label\nhello,1\n", "d.png", "image/png", 415, "unsupported file extension .png"),
        (b"text,label\nhello,1\n", "Makefile", "text/csv", 415, "unsupported file extension (none)"),
    ],
    ids=[
        "png-as-csv",
        "elf-as-jsonl",
        "csv-as-json",
        "jsonl-as-csv",
        "html-as-json",
        "double-extension",
        "csv-as-png",
        "no-extension",
    ],
)
def test_content_that_is_not_what_its_name_or_content_type_says_is_refused(
    client, refused, content, name, content_type, status, message
):
    """The declared Content-Type is not trusted (Excel on Windows declares CSVs as application/vnd.ms-excel,
    curl as application/octet-stream); the extension picks the parser and the bytes must really be that."""
    response = client.post("/api/datasets", files={"file": (name, content, content_type)})
    refused(response, status, message)


def test_a_csv_with_100000_columns_is_refused_from_its_header(upload, refused):
    columns = 100_000
    content = (",".join(f"c{i}" for i in range(columns)) + "\n" + ",".join("1" * columns) + "\n").encode()
    refused(upload(content), 422, "the CSV has 100000 columns; at most 20000 are supported")


def test_a_9_mb_cell_is_refused(upload, refused):
    content = b"text,label\n" + b"a" * (9 * MB) + b",pos\nshort,neg\n"
    refused(
        upload(content),
        422,
        "CSV line 2, column 'text', holds 9437184 characters; at most 1000000 are supported in one cell",
    )


def test_a_9_mb_json_string_is_refused(upload, refused):
    content = json.dumps([{"text": "a" * (9 * MB), "label": "pos"}]).encode()
    refused(upload(content, "d.json"), 422, "item 0 field 'text' holds 9437184 characters")


def test_more_rows_than_the_limit_are_refused_while_parsing(tmp_path):
    """A 10 MB file of one-character rows is 5 million rows (1 GB of Python objects): rows are counted as they
    are parsed and the upload stops at the limit (TRAINNET_MAX_ROWS; 1000 here to keep the data tiny)."""
    settings = Settings(data_dir=tmp_path / "data", worker_token="t", max_rows=1000)
    with TestClient(create_app(settings)) as client:
        for name, content in (
            ("d.csv", b"text\n" + b"x\n" * 1001),
            ("d.jsonl", b'{"text": "x"}\n' * 1001),
            ("d.json", json.dumps([{"text": "x"}] * 1001).encode()),
        ):
            response = client.post("/api/datasets", files={"file": (name, content)})
            assert response.status_code == 422, response.text
            assert response.json()["detail"] == "the file has more than 1000 rows; at most 1000 are supported"
        assert client.post("/api/datasets", files={"file": ("ok.csv", b"text\n" + b"x\n" * 1000)}).status_code == 201
        assert len(client.get("/api/datasets").json()) == 1


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "d.json", "the JSON file is nested too deeply"),
        (
            json.dumps([{"text": "a", "label": 1}]).replace('"a"', "[" * 500 + "]" * 500).encode(),
            "d.json",
            "item 0 field 'text' is nested more than 8 levels deep",
        ),
        (
            b'{"instruction": "a", "output": ' + b"[" * 50 + b"]" * 50 + b"}\n",
            "d.jsonl",
            "JSONL line 1 field 'output' is nested more than 8 levels deep",
        ),
        (
            b'{"instruction": "a", "output": ' + b'{"a":' * 100_000 + b"1" + b"}" * 100_001 + b"\n",
            "d.jsonl",
            "JSONL line 1 is nested too deeply",
        ),
    ],
    ids=["document-100000-deep", "field-500-deep", "jsonl-field-50-deep", "jsonl-line-100000-deep"],
)
def test_deeply_nested_json_is_refused(upload, refused, content, name, message):
    refused(upload(content, name), 422, message)


@pytest.mark.parametrize(
    "content",
    [
        b"text,label\ncaf\xe9,1\n",  # Latin-1
        b"text,label\n\xc0\xafetc,1\n",  # overlong encoding of '/'
        b"text,label\n\xed\xa0\x80,1\n",  # a UTF-16 surrogate encoded as UTF-8
        b"text,label\nend,\xe2\x82",  # truncated multi-byte sequence at the end
    ],
    ids=["latin-1", "overlong", "surrogate", "truncated"],
)
def test_invalid_utf8_is_refused(upload, refused, content):
    refused(upload(content), 422, "not valid UTF-8")


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"text,label\nhel\x00lo,1\n", "d.csv", "NUL bytes"),
        ("text,label\nhello,1\n".encode("utf-16"), "d.csv", "NUL bytes"),
        (b'[{"text": "hel\\u0000lo", "label": 1}]', "d.json", "item 0 field 'text' contains a NUL character"),
        (b'{"instruction": "a", "instances": [{"output": "\\u0000"}]}\n', "d.jsonl", "contains a NUL character"),
    ],
    ids=["raw-in-csv", "utf-16-csv", "escaped-in-json", "escaped-in-nested-jsonl"],
)
def test_nul_bytes_and_escaped_nul_characters_are_refused(upload, refused, content, name, message):
    refused(upload(content, name), 422, message)


FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1+1)", '=HYPERLINK("http://evil.example","x")']


def test_formula_labels_are_kept_as_data_and_never_evaluated(client, upload, settings):
    """Labels are data: stored, counted, downloaded and handed to training exactly as written (the model card
    escapes them: tests/training/test_model_io.py). The platform writes no CSV of its own; the download is the
    user's file, byte for byte."""
    rows = [{"text": f"sample {i}", "label": FORMULAS[i % len(FORMULAS)]} for i in range(40)]
    content = to_csv(rows)
    response = upload(content)
    assert response.status_code == 201, response.text
    dataset = response.json()
    assert dataset["label_counts"] == {label: 8 for label in FORMULAS}
    assert client.get(dataset["url"]).content == content
    task = client.post("/api/train", json={"model_type": "distilbert", "dataset_id": dataset["dataset_id"]})
    assert task.status_code == 202, task.text
    assert client.get(f"/api/tasks/{task.json()['task_id']}").json()["label_names"] == sorted(FORMULAS)


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (png_bomb(20_000, 20_000), f"row 1: the image is larger than {MAX_IMAGE_PIXELS} pixels"),
        (png_bomb(4100, 4100), f"row 1: the image is larger than {MAX_IMAGE_PIXELS} pixels"),  # under 2x the limit
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "cannot be decoded"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "cannot be decoded"),
        (
            b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00"
            b"\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
            "image format GIF is not supported",
        ),
        ("<script>alert(1)</script>", "does not hold base64 data"),
    ],
    ids=["bomb-20000x20000", "bomb-just-over-the-limit", "svg", "pdf", "gif", "not-base64"],
)
def test_image_columns_holding_bombs_or_non_images_are_refused_when_training_is_requested(
    client, upload, refused, image, message
):
    """Images are decoded (with Pillow's decompression-bomb limit, lowered to 4096x4096) when POST /api/train
    checks the data, before anything is cut or queued: that is where the user gets the error."""
    dataset = upload(image_csv(image))
    assert dataset.status_code == 201, dataset.text
    refused.reset()
    request = {"model_type": "mobilenet_v2", "dataset_id": dataset.json()["dataset_id"]}
    response = client.post("/api/train", json=request)
    refused(response, 422, message)
    assert Image.MAX_IMAGE_PIXELS == MAX_IMAGE_PIXELS


def zip_slip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../evil.csv", "text,label\npwned,1\n")
        archive.writestr("/tmp/evil-absolute.csv", "text,label\npwned,1\n")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content_type", "status", "message"),
    [
        ("data.zip", "application/zip", 422, "member '../../evil.csv' has an unsafe path"),
        ("data.tar.gz", "application/gzip", 415, "unsupported file extension .gz"),
        ("data.csv", "application/zip", 422, "NUL bytes"),
    ],
    ids=["zip", "tar-gz", "zip-named-csv"],
)
def test_archives_are_refused_and_never_extracted(client, refused, tmp_path, name, content_type, status, message):
    """Only a .zip of images is read (tests/api/test_image_uploads.py), in memory: one with zip-slip entries is
    refused by name, other archives as a file type, and an archive named .csv as what its bytes are."""
    response = client.post("/api/datasets", files={"file": (name, zip_slip_archive(), content_type)})
    refused(response, status, message)
    assert not list(tmp_path.parent.rglob("evil*.csv"))


def test_a_path_in_the_upload_file_name_is_dropped(client, upload, settings, tmp_path):
    """Only the base name is kept (as a label); the stored object's key is the dataset id, never the name."""
    response = upload(to_csv(text_rows(3)), "../../../../tmp/evil.csv")
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "evil.csv"
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and settings.data_dir not in p.parents]
    assert outside == []
    assert [p.name for p in settings.storage_dir.rglob("*") if p.is_file()] == ["data.csv"]
