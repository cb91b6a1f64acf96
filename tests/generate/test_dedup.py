import json
import random

import pytest
from rouge_score import rouge_scorer

from trainnet.generate.dedup import (
    RougeDeduplicator,
    RougeIndex,
    reference_keep_decisions,
    rouge_l_fmeasure,
    rouge_tokens,
)

SCORER = rouge_scorer.RougeScorer(["rougeL"])


@pytest.fixture(scope="module")
def t0_instructions(data_dir):
    with open(data_dir / "t0_instructions_10k.jsonl", encoding="utf-8") as lines:
        return [json.loads(line)["instruction"] for line in lines]


def test_fast_filter_makes_the_reference_decisions_on_real_t0_prompts(t0_instructions):
    # Items 400-650 hold several templated near-duplicates (rejections) and long prompts (multi-word LCS).
    texts = t0_instructions[400:650]
    expected = reference_keep_decisions(texts)
    assert RougeDeduplicator().keep_decisions(texts) == expected
    assert 0 < expected.count(False) < len(texts)


def test_scores_equal_rouge_score_bit_for_bit_on_random_long_texts():
    rng = random.Random(7)
    vocabulary = ["a", "b", "c", "d", "e", "f"]
    texts = [" ".join(rng.choices(vocabulary, k=rng.randint(0, 200))) for _ in range(60)]
    index = RougeIndex()
    for text in texts[:40]:
        index.add(text)
    for query in texts[40:]:
        found = dict(index.nearest(rouge_tokens(query), k=40))
        expected = {i: SCORER.score(query, text)["rougeL"].fmeasure for i, text in enumerate(texts[:40])}
        if rouge_tokens(query):
            assert found == expected
        else:
            assert found == {}


def test_threshold_comparison_is_strict_like_the_reference():
    base = "one two three four five six seven eight nine ten"
    tie = "one two three four five six seven x y z"  # LCS 7 of 10 and 10 tokens
    score = SCORER.score(base, tie)["rougeL"].fmeasure
    assert rouge_l_fmeasure(7, 10, 10) == score
    for threshold in (score, score - 1e-12):
        assert RougeDeduplicator(threshold).keep_decisions([base, tie]) == reference_keep_decisions(
            [base, tie], threshold
        )
    assert RougeDeduplicator(score).keep_decisions([base, tie]) == [True, True]


def test_uses_rouge_score_tokens():
    assert rouge_tokens("Hello, World! It's 2024.") == ["hello", "world", "it", "s", "2024"]


def test_texts_without_tokens_are_always_novel():
    dedup = RougeDeduplicator(existing=["?!"])
    assert dedup.add_if_novel("...") and dedup.add_if_novel("!!!")
    assert len(dedup) == 3


def test_existing_texts_count_and_is_novel_does_not_keep():
    dedup = RougeDeduplicator(existing=["Translate the sentence into French."])
    assert not dedup.is_novel("Translate this sentence into French.")
    assert dedup.is_novel("Name three rivers in Africa.")
    assert len(dedup) == 1


def test_nearest_is_best_first_and_can_exclude_the_query_itself():
    index = RougeIndex()
    for text in ["the cat sat on the mat", "a dog ran in the park", "the cat sat on a mat today"]:
        index.add(text)
    query = rouge_tokens("the cat sat on the mat")
    assert [position for position, _ in index.nearest(query, k=3)] == [0, 2, 1]
    assert index.nearest(query, k=1, exclude=0)[0][0] == 2
    assert index.nearest(query, k=1)[0][1] == 1.0
