"""The worker-side validation job: records from storage → report and verdict reported to the API."""

from __future__ import annotations

import json
import logging

from trainnet.data.parsing import parse_table
from trainnet.dispatch.messages import ValidateJob
from trainnet.generate.seeds import load_seed_tasks
from trainnet.storage import Storage
from trainnet.validation.policy import ValidationPolicy
from trainnet.validation.report import validate_records

log = logging.getLogger("trainnet.worker")
EXAMPLE_RECORDS = 20


def instruction_records(content: bytes, name: str) -> list[dict]:
    """Records of an instruction dataset as they are (so that broken ones are reported, not dropped); rows in
    self-instruct's seed format give one record per instance."""
    rows = parse_table(content, name, allow_nested=True).rows
    records = []
    for row in rows:
        instances = row.get("instances")
        if isinstance(instances, list) and instances:
            for instance in instances:
                extra = instance if isinstance(instance, dict) else {}
                records.append(
                    {
                        "instruction": row.get("instruction"),
                        "input": extra.get("input", ""),
                        "output": extra.get("output"),
                    }
                )
        else:
            records.append({k: row.get(k) for k in ("instruction", "input", "output") if k in row})
    return records


def compact_report(report: dict) -> dict:
    """The report without per-record details, plus examples of failing records (kept in full in storage)."""
    failing = [r for r in report["records"] if r["failures"]]
    return {
        **{k: v for k, v in report.items() if k != "records"},
        "failing_records": len(failing),
        "examples": failing[:EXAMPLE_RECORDS],
    }


def run_validation(job: ValidateJob, storage: Storage, bucket: str, reporter) -> dict:
    records = instruction_records(storage.get_bytes(bucket, job.data.key), job.data.name)
    references = None
    if job.references is not None:
        references = load_seed_tasks(storage.get_bytes(bucket, job.references.key), job.references.name)
    report = validate_records(records, references, ValidationPolicy(**job.policy)).to_dict()
    storage.put_bytes(bucket, f"{job.dataset_id}/report.json", json.dumps(report).encode())
    log.info(
        "dataset %s: %s (%s)", job.dataset_id, report["verdict"], ", ".join(report["failed_rules"]) or "all rules pass"
    )
    reporter.dataset(
        job.dataset_id, report["verdict"], rows=len(records), metrics=report["metrics"], report=compact_report(report)
    )
    return report
