"""Reading a .zip of images: the two layouts, what is skipped and why, and every archive that is refused."""

import base64
import io
import stat
import struct
import zipfile

import pytest
from PIL import Image

from tests.conftest import class_folder_zip, digit_images, metadata_zip, png_header
from trainnet.data.examples import ColumnMapping, build_examples, check_images
from trainnet.data.image_zip import ArchiveLimits, ArchiveRefused, read_image_zip
from trainnet.data.parsing import parse_table

LIMITS = ArchiveLimits()
IMAGES = digit_images(30)


def make_zip(members: dict[str, bytes], infos: list[zipfile.ZipInfo] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
        for info in infos:
            archive.writestr(info, b"x")
    return buffer.getvalue()


def image_bytes(fmt: str, size=(5, 3), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, 120).save(buffer, format=fmt)
    return buffer.getvalue()


def test_class_folders_become_labelled_rows_of_the_original_png_bytes():
    result = read_image_zip(class_folder_zip(IMAGES), LIMITS)
    assert result.layout == "class folders" and len(result.table) == 30
    assert result.table.columns == ["file_name", "label", "image"]
    first = result.table.rows[0]
    assert first["file_name"] == "0/0000.png" and first["label"] == "0"
    assert base64.b64decode(first["image"]) == IMAGES[0][1]
    assert result.sizes == {"8x8": 30} and result.formats == {"PNG": 30} and result.skipped == []


def test_the_stored_jsonl_is_an_image_dataset_training_reads_as_any_other():
    result = read_image_zip(class_folder_zip(IMAGES), LIMITS)
    table = parse_table(result.jsonl(), "data.jsonl")
    examples = build_examples(table, "image", ColumnMapping(image_column="image"))
    check_images(examples)
    assert examples.label_names == [str(d) for d in range(10)] and len(examples) == 30


def test_one_wrapping_folder_is_stripped_but_a_single_class_folder_is_kept():
    wrapped = read_image_zip(class_folder_zip(IMAGES, root="digits/"), LIMITS)
    assert wrapped.table.rows[0]["file_name"] == "0/0000.png" and wrapped.table.rows[0]["label"] == "0"
    single = read_image_zip(class_folder_zip([(label, png) for label, png in IMAGES if label == "3"]), LIMITS)
    assert {row["label"] for row in single.table.rows} == {"3"}


@pytest.mark.parametrize("metadata", ["metadata.csv", "metadata.jsonl"])
def test_metadata_files_give_the_same_images_and_labels_as_class_folders(metadata):
    folders = read_image_zip(class_folder_zip(IMAGES), LIMITS)
    listed = read_image_zip(metadata_zip(IMAGES, metadata), LIMITS)
    assert listed.layout == metadata and listed.skipped == []
    pairs = sorted((r["label"], r["image"]) for r in listed.table.rows)
    assert pairs == sorted((r["label"], r["image"]) for r in folders.table.rows)


def test_metadata_rows_and_files_that_do_not_match_are_skipped_with_the_reason():
    png = IMAGES[0][1]
    metadata = b"file_name,label\na.png,cat\nmissing.png,dog\na.png,dog\nc.png,\n"
    result = read_image_zip(make_zip({"metadata.csv": metadata, "a.png": png, "b.png": png, "c.png": png}), LIMITS)
    assert [r["file_name"] for r in result.table.rows] == ["a.png"]
    assert {(s.file, s.reason) for s in result.skipped} == {
        ("missing.png", "listed in metadata.csv but not an image in the archive"),
        ("a.png", "listed twice in metadata.csv; the first row is used"),
        ("c.png", "has no label in metadata.csv"),
        ("b.png", "not listed in metadata.csv"),
    }


def test_metadata_without_a_label_column_is_refused():
    with pytest.raises(ArchiveRefused, match="metadata.csv needs the columns file_name and label"):
        read_image_zip(make_zip({"metadata.csv": b"file_name,class\na.png,x\n", "a.png": IMAGES[0][1]}), LIMITS)


def test_webp_bmp_gif_and_jpeg_are_read_and_stored_as_what_training_decodes():
    members = {f"{fmt.lower()}/a.{fmt.lower()}": image_bytes(fmt) for fmt in ("WEBP", "BMP", "GIF", "JPEG")}
    members["png/a.png"] = image_bytes("PNG", mode="RGBA")
    result = read_image_zip(make_zip(members), LIMITS)
    assert result.formats == {"WEBP": 1, "BMP": 1, "GIF": 1, "JPEG": 1, "PNG": 1}
    assert result.sizes == {"5x3": 5}
    stored = {r["label"]: Image.open(io.BytesIO(base64.b64decode(r["image"]))).format for r in result.table.rows}
    assert stored == {"webp": "PNG", "bmp": "PNG", "gif": "PNG", "jpeg": "JPEG", "png": "PNG"}


def test_a_corrupt_image_and_other_files_are_skipped_and_the_rest_kept():
    good = IMAGES[0][1]
    members = {
        "cat/good.png": good,
        "cat/truncated.png": good[: len(good) // 2],
        "dog/good.png": good,
        "dog/fake.jpg": b"not an image at all",
        "dog/notes.txt": b"hello",
        "dog/.DS_Store": b"\x00",
        "__MACOSX/dog/._good.png": b"\x00",
        "loose.png": good,
    }
    result = read_image_zip(make_zip(members), LIMITS)
    assert sorted(r["file_name"] for r in result.table.rows) == ["cat/good.png", "dog/good.png"]
    reasons = {s.file: s.reason for s in result.skipped}
    assert reasons["cat/truncated.png"].startswith("not a PNG, JPEG, WebP, BMP or GIF image that decodes")
    assert reasons["dog/fake.jpg"].startswith("not a PNG, JPEG, WebP, BMP or GIF image that decodes")
    assert reasons["dog/notes.txt"] == "not an image (.txt)"
    assert reasons["dog/.DS_Store"] == reasons["__MACOSX/dog/._good.png"] == "hidden or system file"
    assert reasons["loose.png"].startswith("not in a class folder")
    assert result.summary()["skipped_count"] == 6


def symlink_info() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("cat/passwd.png")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def encrypted_zip() -> bytes:
    """A zip whose first member is marked encrypted (general purpose flag bit 0; zipfile cannot write one)."""
    content = bytearray(make_zip({"cat/secret.png": IMAGES[0][1], "cat/ok.png": IMAGES[0][1]}))
    local, central = content.index(b"PK\x03\x04"), content.index(b"PK\x01\x02")
    content[local + 6] |= 0x1
    content[central + 8] |= 0x1
    return bytes(content)


@pytest.mark.parametrize(
    ("members", "infos", "message"),
    [
        ({"../../evil.png": b"x"}, [], "member '../../evil.png' has an unsafe path"),
        ({"/etc/evil.png": b"x"}, [], "member '/etc/evil.png' has an unsafe path"),
        ({"cat\\..\\..\\evil.png": b"x"}, [], "has an unsafe path"),
        ({"C:/evil.png": b"x"}, [], "member 'C:/evil.png' has an unsafe path"),
        ({}, [symlink_info()], "member 'cat/passwd.png' is a symbolic link"),
        ({"cat/inner.zip": b"PK\x05\x06" + b"\x00" * 18}, [], "member 'cat/inner.zip' is an archive"),
        ({"cat/inner.png": make_zip({"a.png": b"x"})}, [], "member 'cat/inner.png' is an archive"),
        ({"cat/bomb.png": png_header(30_000, 30_000)}, [], "member 'cat/bomb.png' has more than 16777216 pixels"),
        ({"cat/big.png": png_header(5000, 4000)}, [], "member 'cat/big.png' has more than 16777216 pixels"),
    ],
    ids=[
        "zip-slip",
        "absolute",
        "backslashes",
        "drive",
        "symlink",
        "nested-zip",
        "zip-named-png",
        "bomb-30000x30000",
        "bomb-20-megapixels",
    ],
)
def test_hostile_archives_are_refused_naming_the_member(members, infos, message):
    with pytest.raises(ArchiveRefused, match=message.replace("\\", "\\\\").replace("(", "\\(")):
        read_image_zip(make_zip({**members, "cat/ok.png": IMAGES[0][1], "dog/ok.png": IMAGES[1][1]}, infos), LIMITS)


def test_an_encrypted_member_is_refused():
    with pytest.raises(ArchiveRefused, match="member 'cat/secret.png' is encrypted"):
        read_image_zip(encrypted_zip(), LIMITS)


def test_an_image_over_a_lowered_pixel_limit_is_refused_with_its_size():
    limits = ArchiveLimits(max_image_pixels=100)
    with pytest.raises(ArchiveRefused, match="member 'cat/a.png' is 20x10 pixels, over the limit of 100 pixels"):
        read_image_zip(make_zip({"cat/a.png": image_bytes("PNG", (20, 10))}), limits)


def test_member_count_and_declared_size_are_refused_before_anything_is_read():
    many = make_zip({f"c/{i}.png": b"" for i in range(11)})
    with pytest.raises(ArchiveRefused, match="the archive has 11 members; at most 10 are supported"):
        read_image_zip(many, ArchiveLimits(max_members=10))
    big = make_zip({"c/a.png": b"\x00" * 3000, "c/b.png": b"\x00" * 3000})
    with pytest.raises(ArchiveRefused, match="member 'c/b.png' takes the archive past 5000 bytes uncompressed"):
        read_image_zip(big, ArchiveLimits(max_total_bytes=5000))


def test_a_member_whose_header_understates_its_size_is_read_no_further():
    """The reader trusts no header: a member declaring 100 bytes that inflates to 1 MB is cut at 100 bytes and
    fails its checksum (skipped); the bytes read count against the limit whatever the headers say."""
    content = bytearray(make_zip({"c/a.png": b"\x00" * (1024 * 1024), "d/b.png": IMAGES[0][1]}))
    local, central = content.index(b"PK\x03\x04"), content.index(b"PK\x01\x02")
    content[local + 22 : local + 26] = struct.pack("<I", 100)
    content[central + 24 : central + 28] = struct.pack("<I", 100)
    result = read_image_zip(bytes(content), LIMITS)
    assert [r["file_name"] for r in result.table.rows] == ["d/b.png"]
    assert result.skipped[0].file == "c/a.png" and "cannot be read from the archive" in result.skipped[0].reason


def test_an_archive_without_usable_images_is_refused_saying_how_to_lay_it_out():
    with pytest.raises(ArchiveRefused, match=r"no usable images: put them in one folder per class .* notes.txt"):
        read_image_zip(make_zip({"notes.txt": b"x"}), LIMITS)


def test_a_file_that_is_not_a_zip_is_refused():
    with pytest.raises(ArchiveRefused, match="the file is not a readable .zip archive"):
        read_image_zip(b"text,label\na,1\n", LIMITS)
