"""Read a .zip of images into a table of base64 images and labels, the form image datasets take everywhere else.

Two layouts, as torchvision's ImageFolder and Hugging Face's `imagefolder` read them (either may sit inside one
wrapping folder):
- class folders: `cats/001.jpg`, `dogs/002.png`: the folder is the label;
- a `metadata.csv` or `metadata.jsonl` with `file_name` (relative to it) and `label` columns.

Nothing is extracted to disk: members are read in memory after the archive's directory is checked (member count,
declared sizes, paths, symlinks, encryption, nested archives), reads stop at the uncompressed-bytes limit whatever
the headers declare, and each image's header is checked against the pixel limit before it is decoded. An image
that does not decode is skipped and reported; any other problem refuses the archive with `ArchiveRefused`, whose
message names the member and the limit.
"""

from __future__ import annotations

import base64
import io
import json
import stat
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from trainnet.data.examples import MAX_IMAGE_PIXELS
from trainnet.data.parsing import DatasetError, Table, megabytes, parse_table

IMAGE_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif"}
KEPT_AS_IS = {"PNG", "JPEG"}  # what training decodes; the other formats are stored re-encoded as PNG
METADATA_FILES = ("metadata.csv", "metadata.jsonl")
ARCHIVE_SUFFIXES = {".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".7z", ".rar", ".jar", ".whl"}
ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"7z\xbc\xaf'\x1c", b"Rar!")
JUNK_NAMES = {"thumbs.db", "desktop.ini"}
MAX_SKIPPED_SHOWN = 50
COLUMNS = ["file_name", "label", "image"]


class ArchiveRefused(DatasetError):
    """The archive is refused as a whole (the message names the member and the limit)."""


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int = 10_000
    max_total_bytes: int = 100 * 1024 * 1024
    max_image_pixels: int = MAX_IMAGE_PIXELS


@dataclass(frozen=True)
class Skipped:
    file: str
    reason: str


@dataclass
class ImageArchive:
    """The images read from an archive as a table (`file_name`, `label`, base64 `image`), and what was seen."""

    table: Table
    layout: str
    sizes: Counter[str] = field(default_factory=Counter)
    formats: Counter[str] = field(default_factory=Counter)
    skipped: list[Skipped] = field(default_factory=list)

    def summary(self) -> dict:
        """What the dataset record shows besides the label counts."""
        return {
            "layout": self.layout,
            "image_count": len(self.table),
            "sizes": dict(self.sizes.most_common(10)),
            "formats": dict(self.formats.most_common()),
            "skipped_count": len(self.skipped),
            "skipped": [{"file": s.file, "reason": s.reason} for s in self.skipped[:MAX_SKIPPED_SHOWN]],
        }

    def jsonl(self) -> bytes:
        """The table as JSONL, the file an image dataset is stored and trained from."""
        return "".join(json.dumps(row) + "\n" for row in self.table.rows).encode()


def read_image_zip(content: bytes, limits: ArchiveLimits) -> ImageArchive:
    """The labelled images of a zip archive; raises ArchiveRefused (or DatasetError) naming the problem."""
    archive = _open(content)
    reader = _Reader(archive, limits.max_total_bytes)
    files, skipped = _classify(_checked_members(archive, limits))
    files = _strip_wrapping_folder(files)
    metadata = [name for name in METADATA_FILES if name in files]
    if metadata:
        layout = metadata[0]
        labelled, more = _labels_from_metadata(files, layout, reader, limits)
    else:
        layout = "class folders"
        labelled, more = _labels_from_folders(files)
    skipped += more
    result = ImageArchive(Table("jsonl", COLUMNS, []), layout, skipped=skipped)
    for path, info, label in labelled:
        image = _read_image(reader.read(info), info.filename, limits.max_image_pixels)
        if isinstance(image, Skipped):
            result.skipped.append(image)
            continue
        value, size, fmt = image
        result.table.rows.append({"file_name": path, "label": label, "image": value})
        result.sizes[size] += 1
        result.formats[fmt] += 1
    if not result.table.rows:
        raise ArchiveRefused(_no_images_message(result))
    return result


def _open(content: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise ArchiveRefused(f"the file is not a readable .zip archive ({exc})") from None


def _checked_members(archive: zipfile.ZipFile, limits: ArchiveLimits) -> list[zipfile.ZipInfo]:
    """The archive's files once its directory passes every check that needs no reading."""
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise ArchiveRefused(
            f"the archive has {len(infos)} members; at most {limits.max_members} are supported in one archive"
        )
    declared = 0
    for info in infos:
        name = info.filename
        if _unsafe(name):
            raise ArchiveRefused(f"member {name!r} has an unsafe path (absolute, or with '..' or '\\'): refused")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ArchiveRefused(f"member {name!r} is a symbolic link: links are not followed, refused")
        if info.flag_bits & 0x1:
            raise ArchiveRefused(f"member {name!r} is encrypted: upload an archive without a password")
        if not info.is_dir() and PurePosixPath(name).suffix.lower() in ARCHIVE_SUFFIXES:
            raise ArchiveRefused(f"member {name!r} is an archive: nested archives are not read, refused")
        declared += info.file_size
        if declared > limits.max_total_bytes:
            raise ArchiveRefused(
                f"member {name!r} takes the archive past {megabytes(limits.max_total_bytes)} uncompressed "
                f"(at most {megabytes(limits.max_total_bytes)} are supported)"
            )
    return [info for info in infos if not info.is_dir()]


def _unsafe(name: str) -> bool:
    parts = name.split("/")
    return name.startswith("/") or "\\" in name or ".." in parts or (len(name) > 1 and name[1] == ":")


def _classify(infos: list[zipfile.ZipInfo]) -> tuple[dict[str, zipfile.ZipInfo], list[Skipped]]:
    """Images and metadata files by path; everything else is skipped with the reason."""
    files, skipped = {}, []
    for info in infos:
        path = PurePosixPath(info.filename)
        if any(part.startswith(".") or part == "__MACOSX" for part in path.parts) or path.name.lower() in JUNK_NAMES:
            skipped.append(Skipped(info.filename, "hidden or system file"))
        elif path.suffix.lower() in IMAGE_SUFFIXES or path.name in METADATA_FILES:
            files[info.filename] = info
        else:
            skipped.append(Skipped(info.filename, f"not an image ({path.suffix or 'no extension'})"))
    return files, skipped


def _strip_wrapping_folder(files: dict[str, zipfile.ZipInfo]) -> dict[str, zipfile.ZipInfo]:
    """`data/cats/1.png` → `cats/1.png` when every file sits in one folder that is not itself the only class."""
    roots = {name.split("/", 1)[0] for name in files}
    if len(roots) != 1 or any("/" not in name for name in files):
        return files
    stripped = {name.split("/", 1)[1]: info for name, info in files.items()}
    if any("/" in name or name in METADATA_FILES for name in stripped):
        return stripped
    return files


Labelled = list[tuple[str, zipfile.ZipInfo, str]]


def _labels_from_folders(files: dict[str, zipfile.ZipInfo]) -> tuple[Labelled, list[Skipped]]:
    labelled, skipped = [], []
    for path in sorted(files):
        if "/" in path:
            labelled.append((path, files[path], path.split("/", 1)[0]))
        else:
            skipped.append(Skipped(path, "not in a class folder (put each image in a folder named after its class)"))
    return labelled, skipped


def _labels_from_metadata(
    files: dict[str, zipfile.ZipInfo], name: str, reader: _Reader, limits: ArchiveLimits
) -> tuple[Labelled, list[Skipped]]:
    content = reader.read(files[name])
    if isinstance(content, Skipped):
        raise ArchiveRefused(f"{name} {content.reason}")
    try:
        table = parse_table(content, name, max_rows=limits.max_members, max_cell_chars=4096)
    except DatasetError as exc:
        raise ArchiveRefused(f"{name}: {exc}") from None
    missing = [c for c in ("file_name", "label") if c not in table.columns]
    if missing:
        raise ArchiveRefused(f"{name} needs the columns file_name and label (it has {', '.join(table.columns)})")
    labelled, skipped, listed = [], [], set()
    for row in table.rows:
        path = str(row["file_name"] or "").strip().removeprefix("./")
        label = _label_text(row["label"])
        if not path:
            continue
        if path in listed:
            skipped.append(Skipped(path, f"listed twice in {name}; the first row is used"))
        elif path not in files or path in METADATA_FILES:
            skipped.append(Skipped(path, f"listed in {name} but not an image in the archive"))
        elif label is None:
            skipped.append(Skipped(path, f"has no label in {name}"))
        else:
            labelled.append((path, files[path], label))
        listed.add(path)
    for path in sorted(files):
        if path not in listed and path not in METADATA_FILES:
            skipped.append(Skipped(path, f"not listed in {name}"))
    skipped += [Skipped(other, f"{name} is used") for other in METADATA_FILES if other in files and other != name]
    return labelled, skipped


def _label_text(value) -> str | None:
    """Labels are class names, as folder names are: 3, 3.0 and "3" are all the class "3"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = "" if value is None else str(value).strip()
    return text or None


class _Reader:
    """Reads members while counting the bytes they really expand to, whatever their headers declare."""

    def __init__(self, archive: zipfile.ZipFile, max_total_bytes: int):
        self.archive, self.left, self.limit = archive, max_total_bytes, max_total_bytes

    def read(self, info: zipfile.ZipInfo) -> bytes | Skipped:
        path = info.filename
        try:
            with self.archive.open(info) as member:
                data = member.read(self.left + 1)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            return Skipped(path, f"cannot be read from the archive ({exc})")
        except NotImplementedError as exc:
            raise ArchiveRefused(f"member {path!r} cannot be read: {exc}") from None
        self.left -= len(data)
        if self.left < 0:
            raise ArchiveRefused(
                f"member {path!r} takes the archive past {megabytes(self.limit)} uncompressed "
                f"(at most {megabytes(self.limit)} are supported)"
            )
        if data.startswith(ARCHIVE_MAGIC):
            raise ArchiveRefused(f"member {path!r} is an archive: nested archives are not read, refused")
        return data


def _read_image(data: bytes | Skipped, path: str, max_pixels: int) -> tuple[str, str, str] | Skipped:
    """(base64 PNG or JPEG, "WxH", format), or why the image is skipped. Refuses one over `max_pixels`."""
    from PIL import Image

    if isinstance(data, Skipped):
        return data
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS  # the process-wide bound training decodes with (examples.to_pil)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=IMAGE_FORMATS)  # reads the header only
            width, height = image.size
            if width * height > max_pixels:
                raise ArchiveRefused(_too_large(path, max_pixels, (width, height)))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ArchiveRefused(_too_large(path, max_pixels, None)) from None
    except ArchiveRefused:
        raise
    except Exception as exc:
        reason = str(exc).split("\n")[0][:200] or type(exc).__name__
        return Skipped(path, f"not a PNG, JPEG, WebP, BMP or GIF image that decodes ({reason})")
    fmt = image.format or "unknown"
    if fmt not in KEPT_AS_IS:
        buffer = io.BytesIO()
        image.convert("RGBA" if "A" in image.mode or "transparency" in image.info else "RGB").save(buffer, "PNG")
        data = buffer.getvalue()
    return base64.b64encode(data).decode(), f"{width}x{height}", fmt


def _too_large(path: str, max_pixels: int, size: tuple[int, int] | None) -> str:
    if size is None:  # Pillow refused it from its header, over the bound training decodes with
        return (
            f"member {path!r} has more than {MAX_IMAGE_PIXELS} pixels; at most {max_pixels} pixels are supported "
            "in one image: refused"
        )
    return f"member {path!r} is {size[0]}x{size[1]} pixels, over the limit of {max_pixels} pixels for one image"


def _no_images_message(result: ImageArchive) -> str:
    reasons = "; ".join(f"{s.file}: {s.reason}" for s in result.skipped[:5])
    return (
        "the archive holds no usable images: put them in one folder per class (cats/1.jpg, dogs/2.png) or list "
        "them in a metadata.csv with file_name and label columns" + (f" (skipped: {reasons})" if reasons else "")
    )
