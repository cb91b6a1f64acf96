"""ROUGE-L near-duplicate rejection, exactly as self-instruct and Alpaca decide it, but fast.

The reference (`reference_keep_decisions`) scores every candidate against every kept text with
`rouge_score`'s LCS F-measure and rejects it when the best score is above the threshold. `RougeIndex` makes the
same decisions with the same tokens and the same floating-point formula, and only spends time where a
decision can change:

1. every text is tokenised once with rouge_score's tokenizer and its tokens mapped to integers;
2. an upper bound on the LCS of the candidate with each kept text, `min(len_a, len_b, multiset overlap)`, is
   computed for all kept texts at once from per-token postings; since F = 2 * LCS / (len_a + len_b), any kept
   text whose bound cannot beat the threshold is skipped;
3. the survivors, best bound first, get their exact LCS from a bit-parallel LCS (Hyyrö 2004) run over all of
   them at once in numpy, one 64-bit word per 64 candidate tokens.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
from rouge_score import rouge_scorer, tokenize

DEFAULT_ROUGE_THRESHOLD = 0.7
# The bound F(lcs_upper) is computed as 2u/(m+n); the exact formula differs from it by a few ulps at most, so
# pruning below threshold - _BOUND_SLACK can never skip a text the reference would count as a duplicate.
_BOUND_SLACK = 1e-9
# Exact scores are computed in chunks, best bound first, growing so that an early hit (a duplicate, or a good
# nearest neighbour that prunes the rest) costs little and a long scan still runs in large vector operations.
_FIRST_CHUNK = 32
_MAX_CHUNK = 1024
_ALL_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)


def rouge_tokens(text: str) -> list[str]:
    """Tokens exactly as `rouge_scorer.RougeScorer(["rougeL"])` sees them (no stemming)."""
    return tokenize.tokenize(text, None)


def rouge_l_fmeasure(lcs: int, target_length: int, prediction_length: int) -> float:
    """rouge_score's LCS F-measure, with the same operations in the same order (so bit-identical)."""
    if not target_length or not prediction_length:
        return 0.0
    precision = lcs / prediction_length
    recall = lcs / target_length
    if precision + recall > 0:
        return 2 * precision * recall / (precision + recall)
    return 0.0


def reference_keep_decisions(texts: Iterable[str], threshold: float = DEFAULT_ROUGE_THRESHOLD) -> list[bool]:
    """The reference filter: score each text against every kept one with rouge_score, keep if max <= threshold.

    This is what self-instruct's `bootstrap_instructions.py` does (all scores, then `max(...) > 0.7`); it is
    quadratic in pure Python and serves as the oracle for tests and benchmarks.
    """
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)
    kept: list[str] = []
    decisions = []
    for text in texts:
        scores = [scorer.score(text, other)["rougeL"].fmeasure for other in kept]
        is_novel = not scores or max(scores) <= threshold
        decisions.append(is_novel)
        if is_novel:
            kept.append(text)
    return decisions


class RougeIndex:
    """The tokenised texts kept so far, searchable by exact ROUGE-L F-measure."""

    def __init__(self) -> None:
        self._vocabulary: dict[str, int] = {}
        self._postings: list[_Postings] = []
        self._lengths = _GrowingArray(np.int32)
        self._tokens = np.full((64, 16), -1, dtype=np.int32)  # rows: texts; -1 pads and matches nothing

    def __len__(self) -> int:
        return len(self._lengths)

    def add(self, text: str) -> int:
        """Index a text unconditionally and return its position."""
        return self.add_tokens(rouge_tokens(text))

    def add_tokens(self, tokens: Sequence[str]) -> int:
        """Index an already tokenised text and return its position."""
        position = len(self)
        ids = [self._vocabulary.setdefault(token, len(self._vocabulary)) for token in tokens]
        while len(self._postings) < len(self._vocabulary):
            self._postings.append(_Postings())
        for token_id, count in Counter(ids).items():
            self._postings[token_id].append(position, count)
        self._store_row(position, ids)
        self._lengths.append(len(ids))
        return position

    def has_score_above(self, tokens: Sequence[str], threshold: float) -> bool:
        """Whether some indexed text scores strictly above `threshold` against `tokens`."""
        return any((scores > threshold).any() for _, scores in self._exact_scores(tokens, threshold))

    def nearest(self, tokens: Sequence[str], k: int = 1, exclude: int | None = None) -> list[tuple[int, float]]:
        """The `k` indexed texts with the highest ROUGE-L F-measure against `tokens`, best first.

        Texts whose upper bound cannot beat the k-th best exact score found so far are never scored (so among
        equal scores, the one found first is kept).
        `exclude` leaves one position out (the query's own, when it is indexed).
        """
        best: list[tuple[float, int]] = []
        floor = -1.0
        # The lambda reads `floor` as it rises, so later texts are pruned against the best found so far.
        for positions, scores in self._exact_scores(tokens, None, exclude, lambda: floor):  # noqa: B023
            better = scores > floor
            best.extend(zip(scores[better].tolist(), positions[better].tolist()))
            best.sort(key=lambda item: (-item[0], item[1]))
            del best[k:]
            if len(best) == k:
                floor = best[-1][0]
        return [(position, score) for score, position in best]

    def _exact_scores(self, tokens, threshold, exclude=None, floor=None):
        """Yield (positions, exact F-measures) chunk by chunk, best bound first, skipping hopeless texts."""
        count = len(self)
        query_length = len(tokens)
        if count == 0 or query_length == 0:
            return
        lengths = self._lengths.view()
        upper = np.minimum(lengths, query_length)
        np.minimum(upper, self._overlaps(tokens, count), out=upper)
        bound = 2.0 * upper / (lengths + query_length)
        if exclude is not None:
            bound[exclude] = -1.0
        cutoff = -0.5 if threshold is None else threshold - _BOUND_SLACK
        candidates = np.flatnonzero(bound > cutoff)
        candidates = candidates[np.argsort(-bound[candidates], kind="stable")]
        pattern = self._pattern(tokens)
        start, size = 0, _FIRST_CHUNK
        while start < len(candidates):
            chunk = candidates[start : start + size]
            start, size = start + size, min(2 * size, _MAX_CHUNK)
            if floor is not None:
                chunk = chunk[bound[chunk] > floor() + _BOUND_SLACK]  # the rest can at best tie
                if not len(chunk):
                    return
            lcs = _bit_parallel_lcs(pattern, query_length, self._tokens[chunk, : lengths[chunk].max()])
            yield chunk, _fmeasures(lcs, query_length, lengths[chunk])

    def _overlaps(self, tokens: Sequence[str], count: int) -> np.ndarray:
        """Multiset overlap of `tokens` with every indexed text (an upper bound on their LCS)."""
        positions, weights = [], []
        for token, wanted in Counter(tokens).items():
            token_id = self._vocabulary.get(token)
            if token_id is None:
                continue
            postings = self._postings[token_id]
            positions.append(postings.positions.view())
            weights.append(np.minimum(postings.counts.view(), wanted))
        if not positions:
            return np.zeros(count, dtype=np.int64)
        overlap = np.bincount(np.concatenate(positions), np.concatenate(weights), minlength=count)
        return overlap.astype(np.int64)

    def _pattern(self, tokens: Sequence[str]) -> np.ndarray:
        """Match masks: row `token_id` has bit i set where tokens[i] is that token (last row: never matches)."""
        words = (len(tokens) + 63) // 64
        masks = np.zeros((len(self._vocabulary) + 1, words), dtype=np.uint64)
        for i, token in enumerate(tokens):
            token_id = self._vocabulary.get(token)
            if token_id is not None:
                masks[token_id, i // 64] |= np.uint64(1 << (i % 64))
        return masks

    def _store_row(self, position: int, ids: list[int]) -> None:
        rows, width = self._tokens.shape
        if position >= rows or len(ids) > width:
            grown = np.full((max(rows, 2 * position), max(width, len(ids))), -1, dtype=np.int32)
            grown[:rows, :width] = self._tokens
            self._tokens = grown
        self._tokens[position, : len(ids)] = ids


def _bit_parallel_lcs(pattern: np.ndarray, pattern_length: int, texts: np.ndarray) -> np.ndarray:
    """LCS length of the pattern with each row of `texts` (padded with -1), all rows at once.

    Hyyrö's recurrence V = (V + U) | (V - U) with U = V & match(token); since U is a subset of V,
    V - U = V & ~U, and the addition carries across the 64-bit words of long patterns.
    """
    words = pattern.shape[1]
    state = np.full((texts.shape[0], words), _ALL_ONES, dtype=np.uint64)
    matches = pattern[texts]  # (rows, columns, words); -1 selects the all-zero last row
    for column in range(texts.shape[1]):
        match = state & matches[:, column]
        if words == 1:
            state = (state + match) | (state & ~match)
            continue
        carry = np.zeros(texts.shape[0], dtype=np.uint64)
        for word in range(words):
            low, add = state[:, word], match[:, word]
            partial = low + add
            total = partial + carry
            carry = ((partial < low) | (total < partial)).astype(np.uint64)
            state[:, word] = total | (low & ~add)
    ones = np.bitwise_count(state).sum(axis=1, dtype=np.int64)
    spare_bits = words * 64 - pattern_length
    if spare_bits:  # the top bits of the last word are not pattern positions
        ones -= np.bitwise_count(state[:, -1] >> np.uint64(64 - spare_bits)).astype(np.int64)
    return pattern_length - ones  # the LCS is the number of zero bits among the pattern positions


def _fmeasures(lcs: np.ndarray, query_length: int, lengths: np.ndarray) -> np.ndarray:
    """Vectorised `rouge_l_fmeasure`, same operation order so the floats are identical (empty texts score 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = lcs / lengths
        recall = lcs / query_length
        total = precision + recall
        scores = 2 * precision * recall / total
    return np.where(total > 0, scores, 0.0)


class _GrowingArray:
    """An append-only numpy array with amortised doubling."""

    def __init__(self, dtype) -> None:
        self._data = np.zeros(16, dtype=dtype)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, value) -> None:
        if self._size == len(self._data):
            self._data = np.concatenate([self._data, np.zeros_like(self._data)])
        self._data[self._size] = value
        self._size += 1

    def view(self) -> np.ndarray:
        return self._data[: self._size]


class _Postings:
    """Which indexed texts hold a token, and how many times."""

    def __init__(self) -> None:
        self.positions = _GrowingArray(np.int64)
        self.counts = _GrowingArray(np.int32)

    def append(self, position: int, count: int) -> None:
        self.positions.append(position)
        self.counts.append(count)


class RougeDeduplicator:
    """Keeps a text only if no kept text has ROUGE-L F-measure above `threshold` with it (self-instruct's rule)."""

    def __init__(self, threshold: float = DEFAULT_ROUGE_THRESHOLD, existing: Iterable[str] = ()) -> None:
        self.threshold = threshold
        self.index = RougeIndex()
        for text in existing:
            self.index.add(text)

    def __len__(self) -> int:
        return len(self.index)

    def is_novel(self, text: str) -> bool:
        """Whether `text` would be kept, without keeping it."""
        return not self.index.has_score_above(rouge_tokens(text), self.threshold)

    def add_if_novel(self, text: str) -> bool:
        """Keep `text` if it is novel; return whether it was kept."""
        tokens = rouge_tokens(text)
        if self.index.has_score_above(tokens, self.threshold):
            return False
        self.index.add_tokens(tokens)
        return True

    def keep_decisions(self, texts: Iterable[str]) -> list[bool]:
        """`add_if_novel` over a stream of texts: the fast twin of `reference_keep_decisions`."""
        return [self.add_if_novel(text) for text in texts]
