"""Similarity of each record's prompt to the other records and to reference tasks: ROUGE-L and BLEU.

ROUGE-L is rouge_score's LCS F-measure (computed exactly by `trainnet.generate.dedup.RougeIndex`); BLEU is
sacrebleu's sentence BLEU (0-100) of the prompt against its nearest prompts by ROUGE-L.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sacrebleu.metrics import BLEU

from trainnet.generate.dedup import RougeIndex, rouge_tokens


@dataclass
class PromptSimilarity:
    """How one prompt relates to the others (`*_index` are positions in the records or references)."""

    earlier_index: int | None = None
    earlier_rouge_l: float = 0.0
    nearest_index: int | None = None
    nearest_rouge_l: float = 0.0
    self_bleu: float = 0.0
    reference_index: int | None = None
    reference_rouge_l: float | None = None
    reference_bleu: float | None = None


def prompt_similarities(
    prompts: Sequence[str], references: Sequence[str] | None = None, neighbours: int = 4
) -> list[PromptSimilarity]:
    """For every prompt: its most similar earlier prompt, its nearest prompts overall, and nearest references."""
    bleu = BLEU(effective_order=True)
    tokens = [rouge_tokens(prompt) for prompt in prompts]
    index = RougeIndex()
    results = []
    for prompt_tokens in tokens:
        result = PromptSimilarity()
        for earlier, score in index.nearest(prompt_tokens, k=1):
            result.earlier_index, result.earlier_rouge_l = earlier, score
        index.add_tokens(prompt_tokens)
        results.append(result)
    for position, result in enumerate(results):
        nearest = index.nearest(tokens[position], k=neighbours, exclude=position)
        if nearest:
            result.nearest_index, result.nearest_rouge_l = nearest[0]
            others = [prompts[other] for other, _ in nearest]
            result.self_bleu = bleu.sentence_score(prompts[position], others).score
    if references:
        _compare_with_references(prompts, tokens, references, neighbours, bleu, results)
    return results


def _compare_with_references(prompts, tokens, references, neighbours, bleu, results) -> None:
    index = RougeIndex()
    for reference in references:
        index.add(reference)
    for position, result in enumerate(results):
        nearest = index.nearest(tokens[position], k=neighbours)
        result.reference_rouge_l, result.reference_bleu = 0.0, 0.0
        if nearest:
            result.reference_index, result.reference_rouge_l = nearest[0]
            others = [references[other] for other, _ in nearest]
            result.reference_bleu = bleu.sentence_score(prompts[position], others).score
