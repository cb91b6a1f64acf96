"""Evaluation on the held-out split, and BatchNorm re-estimation after averaging."""

from __future__ import annotations

import torch
from sklearn.metrics import f1_score

from trainnet.training.batches import EncodedData


@torch.no_grad()
def evaluate(model: torch.nn.Module, data: EncodedData, batch_size: int = 64) -> dict[str, float]:
    """Accuracy, macro-F1 and mean cross-entropy loss of `model` on `data`."""
    model.eval()
    device = next(model.parameters()).device
    predictions, loss_sum = [], 0.0
    for batch in data.batches(batch_size, shuffle=False):
        output = model(**{k: v.to(device) for k, v in batch.items()})
        loss_sum += output.loss.item() * len(batch["labels"])
        predictions.append(output.logits.argmax(-1).cpu())
    predicted = torch.cat(predictions)
    labels = data.labels
    return {
        "accuracy": float((predicted == labels).float().mean()),
        "macro_f1": float(f1_score(labels.numpy(), predicted.numpy(), average="macro", zero_division=0)),
        "loss": loss_sum / len(data),
    }


@torch.inference_mode()
def predict_probabilities(model: torch.nn.Module, data: EncodedData, batch_size: int = 64) -> torch.Tensor:
    """Softmax probabilities (N x classes, float32, on the CPU) of `model` on `data`, in `data`'s order."""
    model.eval()
    device = next(model.parameters()).device
    out = []
    for batch in data.batches(batch_size, shuffle=False):
        logits = model(**{k: v.to(device) for k, v in batch.items() if k != "labels"}).logits
        out.append(logits.float().softmax(-1).cpu())
    return torch.cat(out)


def has_batchnorm(model: torch.nn.Module) -> bool:
    return any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in model.modules())


@torch.no_grad()
def recalibrate_batchnorm(model: torch.nn.Module, data: EncodedData, batch_size: int = 64, max_batches: int = 50):
    """Re-estimate BatchNorm running statistics of averaged weights on training data.

    Averaged running means/variances do not match the averaged weights' activations; a forward pass over
    training batches with cumulative averaging (momentum=None) gives statistics that do.
    """
    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return
    saved = [(m, m.momentum) for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    generator = torch.Generator().manual_seed(0)
    for i, batch in enumerate(data.batches(batch_size, shuffle=True, generator=generator)):
        if i >= max_batches:
            break
        device = next(model.parameters()).device
        model(**{k: v.to(device) for k, v in batch.items() if k != "labels"})
    for m, momentum in saved:
        m.momentum = momentum
    model.eval()
