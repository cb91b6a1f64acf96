"""A .zip of images through the real app: both layouts give the same dataset, its record shows what was read and
skipped, thumbnails preview it; every hostile archive is refused (or its bad image skipped) with a 4xx naming the
member, nothing stored, nothing written outside the data dir. And over-cap uploads get their 413 JSON in
clients that send the whole body before they read the answer (Python's urllib and requests)."""

import base64
import io
import json
import stat
import struct
import urllib.error
import urllib.request
import zipfile
import zlib
from collections import Counter

import psutil
import pytest
import requests
from PIL import Image

from tests.conftest import class_folder_zip, digit_images, metadata_zip, png_header
from trainnet.settings import MB

IMAGES = digit_images(60)
GOOD = {"cat/a.png": IMAGES[0][1], "dog/b.png": IMAGES[1][1]}


def make_zip(members: dict[str, bytes], base: bytes = b"") -> bytes:
    """A zip of `members` (added to the archive `base`, when given)."""
    buffer = io.BytesIO(base)
    with zipfile.ZipFile(buffer, "a" if base else "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            if isinstance(content, zipfile.ZipInfo):
                archive.writestr(content, b"/etc/passwd")
            else:
                archive.writestr(name, content)
    return buffer.getvalue()


def zero_bomb(size: int = 1024 * MB) -> bytes:
    """A zip whose one member inflates to `size` zero bytes, in about 1 MB and a second: deflate restarts at each
    full flush, so every MB of zeros compresses to the same bytes and is written once, repeated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(MB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    data = block * (size // MB) + compressor.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(size // MB):
        crc = zlib.crc32(bytes(MB), crc)
    name = b"zeros/zero.png"
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), size, len(name), 0) + name
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data), size, len(name), 0, 0, 0, 0, 0, 0
    )
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central) + len(name), len(local) + len(data), 0)
    return local + data + central + name + end


def many_members(count: int = 100_000) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for i in range(count):
            archive.writestr(f"{i:06d}", b"")
    return buffer.getvalue()


def symlink() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("cat/passwd.png")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


HOSTILE = {
    "zip-slip": (lambda: make_zip({"../../evil.png": IMAGES[0][1], **GOOD}), "member '../../evil.png' has an unsafe"),
    "1-gb-of-zeros": (
        lambda: make_zip(GOOD, base=zero_bomb()),
        "member 'zeros/zero.png' takes the archive past 100 MB uncompressed (at most 100 MB are supported)",
    ),
    "100000-members": (many_members, "the archive has 100000 members; at most 10000 are supported"),
    "30000x30000-png": (
        lambda: make_zip({"cat/bomb.png": png_header(30_000, 30_000), **GOOD}),
        "member 'cat/bomb.png' has more than 16777216 pixels; at most 16777216 pixels are supported in one image",
    ),
    "symlink": (lambda: make_zip({"x": symlink(), **GOOD}), "member 'cat/passwd.png' is a symbolic link"),
    "nested-zip": (
        lambda: make_zip({"cat/more.zip": class_folder_zip(IMAGES[:4]), **GOOD}),
        "member 'cat/more.zip' is an archive: nested archives are not read",
    ),
}


def files_outside(root, data_dir) -> list:
    return [p for p in root.rglob("*") if p.is_file() and data_dir not in p.parents]


def read_jsonl(content: bytes) -> list[dict]:
    return [json.loads(line) for line in content.decode().splitlines()]


def test_a_zip_of_class_folders_becomes_an_image_dataset(client, upload):
    response = upload(class_folder_zip(IMAGES, root="digits/"), "digits.zip")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["name"] == "digits.zip" and body["format"] == "jsonl" and body["rows"] == 60
    assert body["kind"] == "image" and body["image_column"] == "image" and body["label_column"] == "label"
    assert body["columns"] == ["file_name", "label", "image"]
    assert body["label_counts"] == dict(Counter(label for label, _ in IMAGES))
    assert body["images"] == {
        "layout": "class folders",
        "image_count": 60,
        "sizes": {"8x8": 60},
        "formats": {"PNG": 60},
        "skipped_count": 0,
        "skipped": [],
    }
    stored = read_jsonl(client.get(body["url"]).content)
    assert stored[0]["file_name"] == "0/0000.png" and base64.b64decode(stored[0]["image"]) == IMAGES[0][1]


@pytest.mark.parametrize("metadata", ["metadata.csv", "metadata.jsonl"])
def test_the_same_images_listed_in_a_metadata_file_give_the_same_dataset(client, upload, metadata):
    folders = upload(class_folder_zip(IMAGES), "folders.zip").json()
    listed = upload(metadata_zip(IMAGES, metadata), "listed.zip").json()
    assert listed["images"]["layout"] == metadata
    same = ("rows", "columns", "kind", "label_counts", "image_column", "label_column")
    assert {k: listed[k] for k in same} == {k: folders[k] for k in same}
    assert {k: v for k, v in listed["images"].items() if k != "layout"} == {
        k: v for k, v in folders["images"].items() if k != "layout"
    }

    def pairs(dataset):
        return sorted((r["label"], r["image"]) for r in read_jsonl(client.get(dataset["url"]).content))

    assert pairs(listed) == pairs(folders)


def test_a_corrupt_image_among_good_ones_is_skipped_and_reported(upload):
    good = {f"{label}/{i}.png": png for i, (label, png) in enumerate(IMAGES[:20])}
    response = upload(make_zip({**good, "3/broken.png": IMAGES[3][1][:40], "3/notes.txt": b"hi"}), "d.zip")
    assert response.status_code == 201, response.text
    images = response.json()["images"]
    assert images["image_count"] == 20 and images["skipped_count"] == 2
    reasons = {s["file"]: s["reason"] for s in images["skipped"]}
    assert reasons["3/broken.png"].startswith("not a PNG, JPEG, WebP, BMP or GIF image that decodes")
    assert reasons["3/notes.txt"] == "not an image (.txt)"


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_archives_are_refused_naming_the_member_and_nothing_is_written(
    client, refused, settings, tmp_path, case
):
    build, message = HOSTILE[case]
    response = client.post("/api/datasets", files={"file": ("hostile.zip", build(), "application/zip")})
    refused(response, 422, message)
    assert files_outside(tmp_path, settings.data_dir) == []
    assert not list(tmp_path.parent.rglob("evil*"))


def test_thumbnails_show_a_few_images_per_class_for_zips_and_base64_json(client, upload, text_csv):
    zipped = upload(class_folder_zip(IMAGES), "digits.zip").json()
    thumbnails = client.get(f"/api/datasets/{zipped['dataset_id']}/thumbnails").json()["thumbnails"]
    assert sorted(thumbnails) == [str(d) for d in range(10)]
    assert all(1 <= len(urls) <= 4 for urls in thumbnails.values())
    image = Image.open(io.BytesIO(base64.b64decode(thumbnails["0"][0].removeprefix("data:image/png;base64,"))))
    assert image.format == "PNG" and image.size == (8, 8)

    rows = [{"image": base64.b64encode(png).decode(), "label": label} for label, png in IMAGES[:20]]
    as_json = upload(json.dumps(rows).encode(), "digits.json").json()
    assert as_json["kind"] == "image"
    from_json = client.get(f"/api/datasets/{as_json['dataset_id']}/thumbnails").json()["thumbnails"]
    assert sorted(from_json) == sorted({label for label, _ in IMAGES[:20]})

    text = upload(text_csv).json()
    assert client.get(f"/api/datasets/{text['dataset_id']}/thumbnails").json()["thumbnails"] == {}


def test_hostile_archives_keep_the_real_server_up_with_bounded_memory(served, tmp_path):
    """Against a real `trainnet serve`: no 5xx, and the server's memory grows by far less than what the
    archives claim to hold (1 GB of zeros, 100,000 members)."""
    process = psutil.Process(served.process.pid)
    rss_before = process.memory_info().rss
    with requests.Session() as http:
        datasets_before = http.get(served.url + "/api/datasets").json()
        for case in ("1-gb-of-zeros", "100000-members", "30000x30000-png"):
            build, message = HOSTILE[case]
            response = http.post(served.url + "/api/datasets", files={"file": ("h.zip", build())}, timeout=60)
            assert response.status_code == 422 and message in response.json()["detail"], response.text
        assert http.get(served.url + "/api/datasets").json() == datasets_before
    assert process.memory_info().rss - rss_before < 200 * MB


def multipart(name: str, content: bytes) -> tuple[bytes, str]:
    boundary = "trainnet-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_python_urllib_reads_the_413_of_an_upload_over_the_limit(served):
    """urllib sends its whole body (with a Content-Length) before it reads: the server reads and drops that body,
    then answers, so urllib gets the 413 and its JSON, not ConnectionResetError."""
    body, content_type = multipart("big.csv", b"text,label\n" + b"x" * (11 * MB))
    request = urllib.request.Request(
        served.url + "/api/datasets", data=body, headers={"Content-Type": content_type}, method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=60)
    assert refused.value.code == 413
    assert json.loads(refused.value.read()) == {"detail": "request body is larger than the 10 MB upload limit"}


def test_python_requests_reads_the_413_of_an_upload_over_the_limit(served):
    """requests, with a file (Content-Length) and with a generator (chunked, no length): both read the 413."""
    response = requests.post(served.url + "/api/datasets", files={"file": ("big.zip", b"\x00" * (12 * MB))}, timeout=60)
    assert response.status_code == 413
    assert response.json()["detail"] == "request body is larger than the 10 MB upload limit"
    body, content_type = multipart("big.csv", b"x" * (11 * MB))
    chunks = (body[i : i + MB] for i in range(0, len(body), MB))
    response = requests.post(
        served.url + "/api/datasets", data=chunks, headers={"Content-Type": content_type}, timeout=60
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "request body is larger than the 10 MB upload limit"
