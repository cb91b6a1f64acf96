"""Checks of one record on its own: schema, JSON outputs, lengths."""

from __future__ import annotations

import json
import re

from trainnet.validation.policy import (
    INSTRUCTION_LENGTH,
    JSON_OUTPUT,
    OUTPUT_LENGTH,
    SCHEMA,
    ValidationPolicy,
)

REQUIRED_FIELDS = ("instruction", "output")
OPTIONAL_FIELDS = ("input",)
_JSON_WORD_RE = re.compile(r"\bjson\b", re.IGNORECASE)
_FENCE_RE = re.compile(r"^```[a-zA-Z]*\s*\n(.*)\n```\s*$", re.DOTALL)


def schema_problems(record: object) -> list[str]:
    """What is wrong with the record's shape: not an object, missing/non-text/empty fields."""
    if not isinstance(record, dict):
        return [f"record is a {type(record).__name__}, not an object"]
    problems = []
    for name in REQUIRED_FIELDS:
        value = record.get(name)
        if value is None:
            problems.append(f"missing '{name}'")
        elif not isinstance(value, str):
            problems.append(f"'{name}' is {type(value).__name__}, not text")
        elif not value.strip():
            problems.append(f"'{name}' is empty")
    for name in OPTIONAL_FIELDS:
        if record.get(name) is not None and not isinstance(record[name], str):
            problems.append(f"'{name}' is {type(record[name]).__name__}, not text")
    return problems


def claims_json(instruction: str, output: str) -> bool:
    """Whether the output should be JSON: the instruction asks for JSON, or the output looks like it."""
    return bool(_JSON_WORD_RE.search(instruction)) or output.lstrip().startswith(("{", "["))


def json_problem(output: str) -> str | None:
    """Why `output` does not parse as JSON (one surrounding ``` fence allowed), or None when it does."""
    text = output.strip()
    fenced = _FENCE_RE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return f"output claims to be JSON but does not parse: {error.msg} (line {error.lineno}, column {error.colno})"
    return None


def record_problems(record: object, policy: ValidationPolicy) -> dict[str, str]:
    """Rule name -> detail for every standalone rule the record fails (schema problems stop further checks)."""
    problems = schema_problems(record)
    if problems:
        return {SCHEMA: "; ".join(problems)}
    failures = {}
    assert isinstance(record, dict)  # schema_problems found none
    instruction, output = record["instruction"], record["output"]
    if claims_json(instruction, output):
        problem = json_problem(output)
        if problem:
            failures[JSON_OUTPUT] = problem
    words = len(instruction.split())
    if not policy.min_instruction_words <= words <= policy.max_instruction_words:
        failures[INSTRUCTION_LENGTH] = (
            f"instruction has {words} words (allowed {policy.min_instruction_words}-{policy.max_instruction_words})"
        )
    words = len(output.split())
    if not policy.min_output_words <= words <= policy.max_output_words:
        failures[OUTPUT_LENGTH] = (
            f"output has {words} words (allowed {policy.min_output_words}-{policy.max_output_words})"
        )
    return failures


def prompt_text(record: object) -> str:
    """The prompt side of a record or reference (instruction, then input), compared for similarity."""
    if isinstance(record, str):
        return record
    if isinstance(record, dict):
        instruction, given = record.get("instruction"), record.get("input")
    else:
        instruction, given = getattr(record, "instruction", None), getattr(record, "input", None)
    parts = [part for part in (instruction, given) if isinstance(part, str) and part.strip()]
    return "\n".join(parts)


def identity_key(record: object) -> tuple[str, ...] | None:
    """Instruction, input and output with case and spacing normalised; None for malformed records."""
    if not isinstance(record, dict):
        return None
    return tuple(" ".join(str(record.get(name) or "").lower().split()) for name in ("instruction", "input", "output"))
