"""Train one copy of the model on one shard: a plain PyTorch loop you can read top to bottom."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from trainnet.training.batches import EncodedData
from trainnet.training.params import TrainingParams
from trainnet.training.schedule import LrSchedule


@dataclass
class ShardResult:
    state_dict: dict[str, torch.Tensor]
    rows: int
    steps: int
    train_loss: float
    seconds: float


ProgressCallback = Callable[[int, int, float], None]  # (step, total_steps, running loss)


def random_shift(pixels: torch.Tensor, pad: int, generator: torch.Generator) -> torch.Tensor:
    """Each image moved by up to `pad` pixels in x and y, its border repeated into the gap: a label-preserving
    augmentation for small images (no flips, which would change digits and characters)."""
    n, _, height, width = pixels.shape
    padded = F.pad(pixels, (pad, pad, pad, pad), mode="replicate")
    dx = torch.randint(0, 2 * pad + 1, (n,), generator=generator).tolist()
    dy = torch.randint(0, 2 * pad + 1, (n,), generator=generator).tolist()
    return torch.stack([padded[i, :, y : y + height, x : x + width] for i, (x, y) in enumerate(zip(dx, dy))])


def adamw(parameters, learning_rate: float, weight_decay: float = 0.01) -> torch.optim.AdamW:
    """AdamW with PyTorch's fused kernel: on CPU its step is ~40x faster than the default per-tensor loop
    (0.02 s vs 0.77 s for MiniLM's 22M parameters on one thread), which is most of a small model's step."""
    parameters = [p for p in parameters if p.requires_grad]
    fused = all(p.is_floating_point() and p.device.type in ("cpu", "cuda") for p in parameters)
    return torch.optim.AdamW(parameters, lr=learning_rate, weight_decay=weight_decay, fused=fused or None)


def train_shard(
    model: torch.nn.Module,
    data: EncodedData,
    epochs: int,
    learning_rate: float,
    batch_size: int,
    weight_decay: float = 0.01,
    seed: int = 0,
    on_progress: ProgressCallback | None = None,
    schedule: LrSchedule | None = None,
    label_smoothing: float = 0.0,
    augment_shift: int = 0,
) -> ShardResult:
    """Run `epochs` of AdamW on `data`, starting from the model's current weights; return the new weights.
    `schedule` sets each step's learning rate (None: constant); images are shifted by up to `augment_shift` pixels;
    the loss is cross-entropy with `label_smoothing`."""
    started = time.perf_counter()
    generator = torch.Generator().manual_seed(seed)
    optimizer = adamw(model.parameters(), learning_rate, weight_decay)
    total_steps = epochs * data.num_batches(batch_size)
    device = next(model.parameters()).device
    model.train()
    step, loss_sum = 0, 0.0
    for _epoch in range(epochs):
        for batch in data.batches(batch_size, shuffle=True, generator=generator):
            if schedule is not None:
                for group in optimizer.param_groups:
                    group["lr"] = learning_rate * schedule.factor(step, total_steps)
            if augment_shift and "pixel_values" in batch:
                batch["pixel_values"] = random_shift(batch["pixel_values"], augment_shift, generator)
            labels = batch.pop("labels").to(device)
            logits = model(**{k: v.to(device) for k, v in batch.items()}).logits
            loss = F.cross_entropy(logits, labels, label_smoothing=label_smoothing)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
            loss_sum += loss.item()
            if on_progress is not None:
                on_progress(step, total_steps, loss_sum / step)
    model.eval()
    state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
    return ShardResult(state, len(data), step, loss_sum / max(step, 1), time.perf_counter() - started)


def warm_up(
    model: torch.nn.Module,
    data: EncodedData,
    params: TrainingParams,
    kind: str,
    pretrained: bool,
    on_progress: ProgressCallback | None = None,
) -> dict:
    """Train a random-init model on all training rows for the task's shared warm-up epochs
    (`TrainingParams.shared_warmup_epochs`, which callers check is not 0), before any shard copies it; returns
    what happened."""
    epochs = params.shared_warmup_epochs(pretrained)
    first_step_at: list[float] = []

    def progress(step: int, total: int, loss: float) -> None:
        if step == 1:
            first_step_at.append(time.time())
        if on_progress is not None:
            on_progress(step, total, loss)

    result = train_shard(
        model,
        data,
        epochs,
        params.resolved_learning_rate(kind, pretrained),
        params.shard_batch_size(pretrained),
        params.weight_decay,
        seed=params.seed * 1000 + 999,
        on_progress=progress,
        schedule=params.lr_schedule(pretrained, None),
        label_smoothing=params.label_smoothing,
        augment_shift=params.resolved_augment_shift(kind, pretrained),
    )
    return {
        "epochs": epochs,
        "rows": result.rows,
        "steps": result.steps,
        "train_loss": round(result.train_loss, 4),
        "seconds": round(result.seconds, 3),
        "first_step_at": first_step_at[0] if first_step_at else None,
    }
