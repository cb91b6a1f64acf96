"""Encode examples once into tensors and serve shuffled mini-batches."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from trainnet.data.examples import to_pil


@dataclass
class EncodedData:
    """Model inputs for N examples: token id lists (text) or a pixel tensor (image), plus labels."""

    kind: str
    labels: torch.Tensor
    input_ids: list[list[int]] | None = None
    pad_token_id: int = 0
    pixel_values: torch.Tensor | None = None

    def __len__(self) -> int:
        return len(self.labels)

    def batch(self, indices: torch.Tensor) -> dict[str, torch.Tensor]:
        labels = self.labels[indices]
        if self.kind == "image":
            assert self.pixel_values is not None
            return {"pixel_values": self.pixel_values[indices], "labels": labels}
        assert self.input_ids is not None
        rows = [self.input_ids[i] for i in indices.tolist()]
        width = max(len(r) for r in rows)
        ids = torch.full((len(rows), width), self.pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = torch.tensor(row)
            mask[i, : len(row)] = 1
        return {"input_ids": ids, "attention_mask": mask, "labels": labels}

    def batches(self, batch_size: int, shuffle: bool, generator: torch.Generator | None = None):
        order = torch.randperm(len(self), generator=generator) if shuffle else torch.arange(len(self))
        for start in range(0, len(self), batch_size):
            yield self.batch(order[start : start + batch_size])

    def num_batches(self, batch_size: int) -> int:
        return -(-len(self) // batch_size)


def encode(kind: str, inputs: list, labels: list[int], preprocessor, max_length: int = 128) -> EncodedData:
    label_tensor = torch.tensor(labels, dtype=torch.long)
    if kind == "text":
        encoded = preprocessor(list(inputs), truncation=True, max_length=max_length)
        pad = preprocessor.pad_token_id if preprocessor.pad_token_id is not None else 0
        return EncodedData("text", label_tensor, input_ids=encoded["input_ids"], pad_token_id=pad)
    pixels = preprocessor(images=[to_pil(v) for v in inputs], return_tensors="pt")["pixel_values"]
    return EncodedData("image", label_tensor, pixel_values=pixels)
