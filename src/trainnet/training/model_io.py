"""Moving models between storage and disk: the task's base directory, safetensors weights, the final
Hugging Face directory with its metrics and model card. Weights are safetensors only; nothing is unpickled."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import string
import tempfile
import time
import zipfile
from pathlib import Path

import torch
from safetensors.torch import load, save

from trainnet.storage import Storage

TRAINNET_FILE = "trainnet.json"
EVALUATION_FILE = "evaluation.json"
CARD_MATRIX_LABELS = 20  # above this many labels the card leaves the confusion matrix to evaluation.json


def save_weights(state_dict: dict[str, torch.Tensor]) -> bytes:
    return save({k: v.contiguous() for k, v in state_dict.items()})


def load_weights(data: bytes) -> dict[str, torch.Tensor]:
    """Parse safetensors bytes; anything else (a pickle, garbage) raises ValueError."""
    try:
        return load(data)
    except Exception as exc:
        raise ValueError(f"weights are not a valid safetensors file: {exc}") from None


IN_USE_SECONDS = 60.0
CACHED_BASES = 4  # task base directories a worker keeps on its disk, the most recently used


def fetch_base(
    storage: Storage,
    bucket: str,
    prefix: str,
    cache_dir: Path,
    keep: int = CACHED_BASES,
    in_use_seconds: float = IN_USE_SECONDS,
) -> Path:
    """The task's base directory on local disk, downloaded once per worker and reused for every shard; the
    least recently used other bases beyond `keep` are deleted, so a long-lived worker's disk does not fill, unless
    used in the last `in_use_seconds` (embedded workers share the cache: a sibling may be loading it)."""
    target = Path(cache_dir) / prefix
    if (target / "config.json").is_file():
        os.utime(target)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".dl-"))
    try:
        storage.get_dir(bucket, prefix, staging)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _evict_cached_bases(target, keep, in_use_seconds)
    return target


def _evict_cached_bases(current: Path, keep: int, in_use_seconds: float) -> None:
    """`current` is <cache>/tasks/<task>/base: remove the other tasks' folders beyond the `keep` most recent."""
    found = []
    for path in current.parent.parent.glob(f"*/{current.name}"):
        with contextlib.suppress(OSError):  # a sibling worker may evict it meanwhile
            found.append((path.stat().st_mtime, path))
    for mtime, old in sorted(found, reverse=True)[keep:]:
        if old != current and time.time() - mtime > in_use_seconds:
            shutil.rmtree(old.parent, ignore_errors=True)


def load_model(kind: str, folder: Path):
    """Model and preprocessor from a Hugging Face directory (the task base or a downloaded model)."""
    if kind == "text":
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        model = AutoModelForSequenceClassification.from_pretrained(folder, use_safetensors=True)
        return model, AutoTokenizer.from_pretrained(folder)
    from transformers import AutoImageProcessor, AutoModelForImageClassification

    model = AutoModelForImageClassification.from_pretrained(folder, use_safetensors=True)
    return model, AutoImageProcessor.from_pretrained(folder)


def write_model_dir(
    model, preprocessor, folder: Path, metrics: dict, card: str, evaluation: dict | None = None
) -> Path:
    """The directory users download: config, model.safetensors, preprocessor, metrics.json, README.md and
    evaluation.json (the evaluation report, when given)."""
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder, safe_serialization=True)
    preprocessor.save_pretrained(folder)
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2))
    if evaluation is not None:
        (folder / EVALUATION_FILE).write_text(json.dumps(evaluation, indent=2))
    (folder / "README.md").write_text(card)
    return folder


def zip_dir(folder: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder).as_posix())
    return archive


def markdown_text(value) -> str:
    """`value` as literal text in Markdown: every ASCII punctuation mark backslash-escaped, `<`, `>` and `&` as
    entities and line breaks as spaces, so a label or file name renders as itself and cannot inject markup,
    HTML or a heading."""
    out = []
    for char in str(value):
        if char in "<>&":
            out.append({"<": "&lt;", ">": "&gt;", "&": "&amp;"}[char])
        elif char in string.punctuation:
            out.append("\\" + char)
        elif not char.isprintable():
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def warmup_line(info: dict) -> str:
    warmup = info.get("warmup")
    if not warmup:
        return ""
    return f", then {warmup['epochs']} shared warm-up epoch(s) on all {warmup['rows']} training rows before sharding"


def model_card(
    model_type: str,
    info: dict,
    metrics: dict,
    params: dict,
    dataset_name: str,
    label_names: list,
    evaluation: dict | None = None,
) -> str:
    """The README.md of a trained model, with its `evaluation` report (`training.report`) when given. Labels and
    names come from the user's data: they are escaped here and kept verbatim in config.json's id2label."""
    last = metrics["rounds"][-1] if metrics.get("rounds") else {}
    rows = "\n".join(
        f"| {r['round']} | {r['accuracy']:.4f} | {r['macro_f1']:.4f} | {r['loss']:.4f} | {r['shards_used']} |"
        for r in metrics.get("rounds", [])
    )
    auto = (
        "AutoModelForSequenceClassification"
        if info.get("kind", "text") == "text"
        else "AutoModelForImageClassification"
    )
    pre = "AutoTokenizer" if auto.endswith("SequenceClassification") else "AutoImageProcessor"
    if info.get("pretrained"):
        weights = "pretrained, from " + markdown_text(info.get("weights_source"))
    else:
        weights = "random init from config (no pretrained weights were available)" + warmup_line(info)
    kept_line = ""
    if metrics.get("stop_reason"):
        count = len(metrics.get("rounds", []))
        averaged = metrics.get("averaged_rounds") or [metrics.get("kept_round", 0)]
        kept = (
            f"Kept round {averaged[0] + 1} of {count}"
            if len(averaged) == 1
            else f"The weights average rounds {', '.join(str(r + 1) for r in averaged)} of {count}, the best by "
            "validation accuracy (a greedy soup)"
        )
        kept_line = f"\n- {kept}; training stopped: {metrics['stop_reason']}"
    nan = float("nan")
    scores = metrics if "accuracy" in metrics else last
    final = (
        f"accuracy {scores.get('accuracy', nan):.4f}, macro-F1 {scores.get('macro_f1', nan):.4f}, "
        f"loss {scores.get('loss', nan):.4f}"
    )
    return f"""---
library_name: transformers
tags: [trainnet, federated-averaging, {model_type}]
---
# {model_type} classifier trained with TrainNet

Trained on {markdown_text(dataset_name)} with weighted federated averaging: {params.get("num_shards")} shards,
{params.get("rounds")} round(s), {params.get("epochs")} local epoch(s) per round.

- Initial weights: {weights}
- Labels: {", ".join(map(markdown_text, label_names))}
- Final evaluation on the held-out split: {final}{kept_line}

| round | accuracy | macro-F1 | loss | shards averaged |
|---|---|---|---|---|
{rows}
{evaluation_markdown(evaluation) if evaluation else ""}
## Use

```python
from transformers import {auto}, {pre}
model = {auto}.from_pretrained("path/to/this/folder")
preprocessor = {pre}.from_pretrained("path/to/this/folder")
```
"""


def evaluation_markdown(report: dict) -> str:
    """The model card's Evaluation section: the per-class table and the confusion matrix of `report`."""
    names = [markdown_text(name) for name in report["labels"]]
    per_class = "\n".join(
        f"| {name} | {c['precision']:.4f} | {c['recall']:.4f} | {c['f1']:.4f} | {c['support']} |"
        for name, c in zip(names, report["per_class"])
    )
    section = f"""
## Evaluation

The kept model on the held-out split: accuracy {report["accuracy"]:.4f}, macro-F1 {report["macro_f1"]:.4f}.
`{EVALUATION_FILE}` holds this report and the misclassified examples the model was surest of.

| label | precision | recall | F1 | support |
|---|---|---|---|---|
{per_class}
"""
    if len(names) > CARD_MATRIX_LABELS:
        return section + f"\nThe confusion matrix of the {len(names)} labels is in `{EVALUATION_FILE}`.\n"
    rows = "\n".join(
        f"| {name} | " + " | ".join(str(count) for count in row) + " |"
        for name, row in zip(names, report["confusion_matrix"])
    )
    return (
        section
        + f"""
Confusion matrix (rows: true label, columns: predicted label):

| true / predicted | {" | ".join(names)} |
|---|{"---|" * len(names)}
{rows}
"""
    )
