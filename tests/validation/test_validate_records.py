import json
from dataclasses import fields
from pathlib import Path

import pytest

from trainnet.generate.seeds import load_seed_tasks
from trainnet.validation import DELETED, READY_FOR_FINE_TUNING, ValidationPolicy, validate_records

DATA_DIR = Path(__file__).parents[2].parent / "shared" / "data"

DIVERSE = [
    {"instruction": "Name the largest planet of the solar system.", "input": "", "output": "Jupiter"},
    {"instruction": "Translate the sentence into French.", "input": "I like cheese.", "output": "J'aime le fromage."},
    {"instruction": "Classify the review as positive or negative.", "input": "Dull and far too long.", "output": "Negative"},
    {"instruction": "Give three tips for sleeping better at night.", "input": "", "output": "Keep a schedule, avoid screens, keep the room cool."},
    {"instruction": "Return the book details as a JSON object.", "input": "Dune by Frank Herbert, 1965", "output": '{"title": "Dune", "author": "Frank Herbert", "year": 1965}'},
    {"instruction": "Compute the sum of the numbers listed below.", "input": "4, 8, 15", "output": "27"},
]  # fmt: skip


@pytest.fixture(scope="module")
def seed_tasks():
    path = DATA_DIR / "seed_tasks.jsonl"
    return load_seed_tasks(path.read_bytes(), path.name)


def test_a_diverse_valid_dataset_is_ready_for_fine_tuning():
    report = validate_records(DIVERSE)
    assert report.verdict == READY_FOR_FINE_TUNING
    assert report.failed_rules == [] and report.passing_indices == list(range(6))
    assert report.metrics["valid_records"] == 6 and report.metrics["exact_duplicates"] == 0
    assert report.metrics["lengths_in_words"]["output"]["max"] == 9
    assert 0 <= report.metrics["mean_nearest_rouge_l"] < 0.5


def test_the_real_seed_tasks_pass_the_default_policy(seed_tasks):
    report = validate_records([task.to_record() for task in seed_tasks])
    assert report.verdict == READY_FOR_FINE_TUNING
    assert report.metrics["records"] == 175


def test_exact_and_near_duplicates_fail_only_after_their_first_occurrence():
    records = DIVERSE + [
        {"instruction": "name the largest  planet of the solar system.", "input": "", "output": "JUPITER"},
        {"instruction": "Name the biggest planet of the solar system.", "input": "", "output": "Jupiter."},
    ]
    report = validate_records(records)
    checks = report.records
    assert checks[0].passed
    assert checks[6].failures["exact_duplicate"] == "same as record 0"
    assert (
        checks[7].failures["near_duplicate"].endswith("with record 0") and "exact_duplicate" not in checks[7].failures
    )
    assert report.metrics["exact_duplicates"] == 1 and report.metrics["duplicate_records"] == 2
    assert report.verdict == DELETED and report.failed_rules == ["max_duplicate_fraction"]
    [rule] = [rule for rule in report.rules if not rule.passed]
    assert [example["index"] for example in rule.examples] == [6, 7] and rule.value == 0.25 and rule.limit == 0.2


def test_similarity_metrics_include_rouge_l_and_bleu_against_nearest_records():
    records = DIVERSE + [
        {"instruction": "Name the largest moon of the solar system.", "input": "", "output": "Ganymede"}
    ]
    report = validate_records(records)
    similar = report.records[6].similarity
    assert similar.nearest_index == 0 and 0.7 < similar.nearest_rouge_l < 1
    assert similar.earlier_index == 0 and "near_duplicate" in report.records[6].failures
    assert 0 < similar.self_bleu <= 100
    assert report.records[2].similarity.self_bleu < similar.self_bleu


def test_records_copying_a_reference_task_fail_and_reference_metrics_appear(seed_tasks):
    copy = {"instruction": seed_tasks[1].instruction, "input": seed_tasks[1].input, "output": "They are opposites."}
    report = validate_records(DIVERSE + [copy], references=seed_tasks)
    assert report.records[6].failures["copies_reference"].endswith("with reference 1")
    assert report.records[6].similarity.reference_rouge_l == 1.0
    assert report.metrics["reference_copies"] == 1 and 0 < report.metrics["mean_reference_bleu"] <= 100
    assert report.failed_rules == ["max_reference_copy_fraction"] and report.verdict == DELETED
    assert "reference_copies" not in validate_records(DIVERSE).metrics


def test_too_many_invalid_records_delete_the_dataset_and_name_examples():
    broken = [
        {"instruction": "Describe the weather today.", "output": ""},
        {"instruction": "Return JSON of it.", "output": "{"},
    ]
    report = validate_records(DIVERSE + broken)
    assert report.failed_rules == ["max_invalid_fraction"] and report.verdict == DELETED
    [rule] = [rule for rule in report.rules if not rule.passed]
    assert [example["index"] for example in rule.examples] == [6, 7]
    assert "json_output" in rule.examples[1]["failures"] and rule.examples[1]["record"]["output"] == "{"


def test_too_few_valid_records_or_an_empty_dataset_is_deleted():
    assert validate_records(DIVERSE[:3]).failed_rules == ["min_valid_records"]
    assert validate_records(DIVERSE[:3], policy=ValidationPolicy(min_valid_records=3)).verdict == READY_FOR_FINE_TUNING
    empty = validate_records([])
    assert empty.verdict == DELETED and "min_valid_records" in empty.failed_rules


def test_low_diversity_fails_the_mean_nearest_rouge_rule_and_optional_self_bleu_rule():
    templated = [{"instruction": f"Add the two numbers {i} and {i + 1} then report the result.", "input": "", "output": str(2 * i + 1)}
                 for i in range(8)]  # fmt: skip
    lenient = ValidationPolicy(max_duplicate_fraction=1.0, max_mean_self_bleu=30.0)
    report = validate_records(templated, policy=lenient)
    assert set(report.failed_rules) == {"max_mean_nearest_rouge_l", "max_mean_self_bleu", "min_valid_records"}
    assert validate_records(DIVERSE, policy=lenient).verdict == READY_FOR_FINE_TUNING


def test_report_is_json_serialisable_and_names_the_policy():
    report = validate_records(DIVERSE + [["not", "a", "record"]], references=["Name a planet."])
    data = json.loads(json.dumps(report.to_dict()))
    assert data["verdict"] == report.verdict and data["policy"]["near_duplicate_rouge_l"] == 0.7
    assert data["records"][6]["failures"]["schema"] == "record is a list, not an object"


def test_every_policy_field_is_documented_and_bad_values_are_rejected():
    assert all(field.metadata.get("help") for field in fields(ValidationPolicy))
    with pytest.raises(ValueError, match="max_duplicate_fraction must be a fraction"):
        ValidationPolicy(max_duplicate_fraction=2)
    with pytest.raises(ValueError, match="inverted"):
        ValidationPolicy(min_output_words=10, max_output_words=5)
