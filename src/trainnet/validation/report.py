"""Validating a generated dataset: per-record rules, aggregate metrics, and the verdict."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from trainnet.validation.checks import identity_key, prompt_text, record_problems
from trainnet.validation.policy import (
    COPIES_REFERENCE,
    DELETED,
    DUPLICATE_RULES,
    EXACT_DUPLICATE,
    INVALID_RULES,
    NEAR_DUPLICATE,
    READY_FOR_FINE_TUNING,
    RECORD_RULES,
    ValidationPolicy,
)
from trainnet.validation.similarity import PromptSimilarity, prompt_similarities

_SNIPPET = 160


@dataclass
class RecordCheck:
    """The rules one record fails (rule -> detail) and its similarity figures."""

    index: int
    failures: dict[str, str] = field(default_factory=dict)
    similarity: PromptSimilarity = field(default_factory=PromptSimilarity)

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class RuleResult:
    """One dataset rule: the measured value, its limit, and example records that pushed it."""

    rule: str
    passed: bool
    value: float
    limit: float
    message: str
    examples: list[dict] = field(default_factory=list)


@dataclass
class ValidationReport:
    """The verdict, the dataset rules (failed ones name examples), metrics, and every record's check."""

    verdict: str
    rules: list[RuleResult]
    metrics: dict
    records: list[RecordCheck]
    policy: ValidationPolicy

    @property
    def failed_rules(self) -> list[str]:
        return [rule.rule for rule in self.rules if not rule.passed]

    @property
    def passing_indices(self) -> list[int]:
        """Positions of the records that pass every record rule (to keep a cleaned subset)."""
        return [check.index for check in self.records if check.passed]

    def to_dict(self) -> dict:
        """Plain JSON-serialisable form, for storing with the dataset."""
        return {
            "verdict": self.verdict,
            "failed_rules": self.failed_rules,
            "rules": [asdict(rule) for rule in self.rules],
            "metrics": self.metrics,
            "records": [
                {"index": c.index, "failures": c.failures, "similarity": asdict(c.similarity)} for c in self.records
            ],
            "policy": self.policy.to_dict(),
        }


def validate_records(
    records: Sequence[object],
    references: Sequence[object] | None = None,
    policy: ValidationPolicy | None = None,
) -> ValidationReport:
    """Check every record, aggregate, and decide READY_FOR_FINE_TUNING or DELETED.

    `references` are seed tasks (`SeedTask`, dicts with `instruction`/`input`, or strings) that records are
    compared with; without them the reference rule and metrics are skipped.
    """
    policy = policy or ValidationPolicy()
    checks = [RecordCheck(index, record_problems(record, policy)) for index, record in enumerate(records)]
    _mark_exact_duplicates(records, checks)
    reference_texts = [prompt_text(reference) for reference in references] if references else None
    similarities = prompt_similarities([prompt_text(r) for r in records], reference_texts, policy.similar_neighbours)
    for check, similarity in zip(checks, similarities):
        check.similarity = similarity
        if similarity.earlier_rouge_l > policy.near_duplicate_rouge_l:
            check.failures[NEAR_DUPLICATE] = (
                f"ROUGE-L {similarity.earlier_rouge_l:.3f} with record {similarity.earlier_index}"
            )
        if similarity.reference_rouge_l is not None and similarity.reference_rouge_l > policy.reference_copy_rouge_l:
            check.failures[COPIES_REFERENCE] = (
                f"ROUGE-L {similarity.reference_rouge_l:.3f} with reference {similarity.reference_index}"
            )
    metrics = _metrics(records, checks, reference_texts is not None)
    rules = _dataset_rules(records, checks, metrics, policy, reference_texts is not None)
    verdict = READY_FOR_FINE_TUNING if all(rule.passed for rule in rules) else DELETED
    return ValidationReport(verdict, rules, metrics, checks, policy)


def _mark_exact_duplicates(records: Sequence[object], checks: list[RecordCheck]) -> None:
    first_seen: dict[tuple, int] = {}
    for record, check in zip(records, checks):
        key = identity_key(record)
        if key is None:
            continue
        if key in first_seen:
            check.failures[EXACT_DUPLICATE] = f"same as record {first_seen[key]}"
        else:
            first_seen[key] = check.index


def _metrics(records: Sequence[object], checks: list[RecordCheck], with_references: bool) -> dict:
    count = len(records)
    by_rule = {rule: sum(rule in check.failures for check in checks) for rule in RECORD_RULES}
    metrics = {
        "records": count,
        "valid_records": sum(check.passed for check in checks),
        "invalid_records": sum(any(rule in check.failures for rule in INVALID_RULES) for check in checks),
        "exact_duplicates": by_rule[EXACT_DUPLICATE],
        "near_duplicates": by_rule[NEAR_DUPLICATE],
        "duplicate_records": sum(any(rule in check.failures for rule in DUPLICATE_RULES) for check in checks),
        "failures_by_rule": by_rule,
        "mean_nearest_rouge_l": _mean([check.similarity.nearest_rouge_l for check in checks]),
        "mean_self_bleu": _mean([check.similarity.self_bleu for check in checks]),
        "lengths_in_words": {name: _length_stats(records, name) for name in ("instruction", "input", "output")},
    }
    if with_references:
        metrics["reference_copies"] = by_rule[COPIES_REFERENCE]
        metrics["mean_reference_rouge_l"] = _mean([check.similarity.reference_rouge_l or 0.0 for check in checks])
        metrics["mean_reference_bleu"] = _mean([check.similarity.reference_bleu or 0.0 for check in checks])
    return metrics


def _dataset_rules(records, checks, metrics, policy: ValidationPolicy, with_references: bool) -> list[RuleResult]:
    count = max(len(records), 1)

    def rule(name: str, value: float, limit: float, passed: bool, message: str, record_rules=()) -> RuleResult:
        examples = [] if passed else _examples(records, checks, record_rules, policy.max_examples)
        return RuleResult(name, passed, round(value, 4), limit, message, examples)

    valid = metrics["valid_records"]
    invalid = metrics["invalid_records"] / count
    duplicates = metrics["duplicate_records"] / count
    nearest = metrics["mean_nearest_rouge_l"]
    rules = [
        rule("min_valid_records", valid, policy.min_valid_records, valid >= policy.min_valid_records,
             f"{valid} of {len(records)} records pass every record rule (need {policy.min_valid_records})",
             RECORD_RULES),
        rule("max_invalid_fraction", invalid, policy.max_invalid_fraction, invalid <= policy.max_invalid_fraction,
             f"{invalid:.1%} of records fail schema, JSON or length rules (allowed {policy.max_invalid_fraction:.0%})",
             INVALID_RULES),
        rule("max_duplicate_fraction", duplicates, policy.max_duplicate_fraction,
             duplicates <= policy.max_duplicate_fraction,
             f"{duplicates:.1%} of records are exact or near duplicates (allowed {policy.max_duplicate_fraction:.0%})",
             DUPLICATE_RULES),
        rule("max_mean_nearest_rouge_l", nearest, policy.max_mean_nearest_rouge_l,
             nearest <= policy.max_mean_nearest_rouge_l,
             f"mean ROUGE-L with the nearest other prompt is {nearest:.3f} "
             f"(allowed {policy.max_mean_nearest_rouge_l})", DUPLICATE_RULES),
    ]  # fmt: skip
    if with_references:
        copies = metrics["reference_copies"] / count
        rules.append(
            rule(
                "max_reference_copy_fraction",
                copies,
                policy.max_reference_copy_fraction,
                copies <= policy.max_reference_copy_fraction,
                f"{copies:.1%} of records copy a reference task (allowed {policy.max_reference_copy_fraction:.0%})",
                (COPIES_REFERENCE,),
            )  # fmt: skip
        )
    if policy.max_mean_self_bleu is not None:
        self_bleu = metrics["mean_self_bleu"]
        rules.append(
            rule(
                "max_mean_self_bleu",
                self_bleu,
                policy.max_mean_self_bleu,
                self_bleu <= policy.max_mean_self_bleu,
                f"mean self-BLEU is {self_bleu:.1f} (allowed {policy.max_mean_self_bleu})",
                DUPLICATE_RULES,
            )  # fmt: skip
        )
    return rules


def _examples(records, checks: list[RecordCheck], record_rules, limit: int) -> list[dict]:
    """Up to `limit` records failing one of `record_rules`, with what they failed."""
    examples = []
    for check in checks:
        failed = {rule: detail for rule, detail in check.failures.items() if rule in record_rules}
        if failed:
            examples.append({"index": check.index, "failures": failed, "record": _snippet(records[check.index])})
        if len(examples) == limit:
            break
    return examples


def _snippet(record: object) -> object:
    if not isinstance(record, dict):
        return repr(record)[:_SNIPPET]
    return {str(key): _shorten(value) for key, value in record.items()}


def _shorten(value: object) -> object:
    """A field cut to a snippet; anything but text and JSON scalars shown by its repr."""
    if isinstance(value, str):
        return value[:_SNIPPET]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return repr(value)[:_SNIPPET]


def _length_stats(records: Sequence[object], name: str) -> dict:
    texts = [record.get(name) for record in records if isinstance(record, dict)]
    counts = sorted(len(text.split()) for text in texts if isinstance(text, str))
    if not counts:
        return {"count": 0}
    return {
        "count": len(counts),
        "min": counts[0],
        "max": counts[-1],
        "mean": round(statistics.fmean(counts), 2),
        "median": statistics.median(counts),
        "p95": counts[min(len(counts) - 1, int(0.95 * len(counts)))],
    }


def _mean(values: list[float]) -> float:
    return round(statistics.fmean(values), 4) if values else 0.0
