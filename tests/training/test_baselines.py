"""The baselines on plain rows: no storage, broker or server."""

import random

from trainnet.training.baselines import baselines, image_baseline, majority_baseline, pixels, text_baseline


def test_the_majority_baseline_predicts_the_most_frequent_training_label():
    result = majority_baseline([0, 0, 1], [0, 1, 1, 1])
    assert result == {"kind": "majority", "name": "majority class", "accuracy": 0.25, "macro_f1": 0.2}


def test_tf_idf_logistic_regression_learns_words_that_name_the_class():
    rng = random.Random(0)
    words = {0: ["goal", "match", "team"], 1: ["vote", "senate", "party"]}

    def rows(n):
        labels = [i % 2 for i in range(n)]
        return [f"{rng.choice(words[y])} {rng.choice(['a', 'the', 'of'])}" for y in labels], labels

    result = text_baseline(*rows(40), *rows(20))
    assert result["kind"] == "classical" and result["name"] == "TF-IDF + logistic regression"
    assert result["accuracy"] == 1.0 and result["macro_f1"] == 1.0


def test_the_image_baseline_reads_pixel_lists_downscaled_to_gray():
    bright, dark = [250] * 64, [5] * 64  # 8x8 images
    assert pixels([bright]).shape == (1, 256) and pixels([bright]).max() <= 1.0
    result = image_baseline([bright, dark] * 5, [1, 0] * 5, [dark, bright], [0, 1])
    assert result["accuracy"] == 1.0 and "16x16 pixels" in result["name"]


def test_a_single_class_gets_only_the_majority_baseline():
    assert [b["kind"] for b in baselines("text", ["a b", "c d"], [0, 0], ["e"], [0])] == ["majority"]
    assert [b["kind"] for b in baselines("text", ["a b", "c d"], [0, 1], ["a"], [0])] == ["majority", "classical"]
