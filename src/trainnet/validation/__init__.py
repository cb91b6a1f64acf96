"""Validation of generated datasets: per-record rules, similarity metrics, and a policy verdict."""

from trainnet.validation.policy import DELETED, READY_FOR_FINE_TUNING, ValidationPolicy
from trainnet.validation.report import RecordCheck, RuleResult, ValidationReport, validate_records

__all__ = [
    "DELETED",
    "READY_FOR_FINE_TUNING",
    "RecordCheck",
    "RuleResult",
    "ValidationPolicy",
    "ValidationReport",
    "validate_records",
]
