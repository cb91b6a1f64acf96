"""The validation policy: which checks a generated dataset must pass to be used for fine-tuning.

Per-record rules mark individual records; dataset rules turn the counts and averages into the verdict
READY_FOR_FINE_TUNING (every dataset rule passes) or DELETED (any fails). Record rules:

- `schema`: a JSON object with non-empty text `instruction` and `output`, and `input` text when present;
- `json_output`: when the output claims to be JSON (the instruction mentions JSON, or the output starts with `{`
  or `[`), it parses;
- `instruction_length`, `output_length`: word counts within bounds;
- `exact_duplicate`: same instruction, input and output (case and spacing ignored) as an earlier record;
- `near_duplicate`: the prompt (instruction and input) has ROUGE-L above the threshold with an earlier one;
- `copies_reference`: the prompt has ROUGE-L above the threshold with a seed/reference task.

Similarity compares the prompt side because generation dedups instructions, while outputs of different tasks
may legitimately coincide ("Positive").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

READY_FOR_FINE_TUNING = "READY_FOR_FINE_TUNING"
DELETED = "DELETED"

SCHEMA = "schema"
JSON_OUTPUT = "json_output"
INSTRUCTION_LENGTH = "instruction_length"
OUTPUT_LENGTH = "output_length"
EXACT_DUPLICATE = "exact_duplicate"
NEAR_DUPLICATE = "near_duplicate"
COPIES_REFERENCE = "copies_reference"

INVALID_RULES = (SCHEMA, JSON_OUTPUT, INSTRUCTION_LENGTH, OUTPUT_LENGTH)
DUPLICATE_RULES = (EXACT_DUPLICATE, NEAR_DUPLICATE)
RECORD_RULES = INVALID_RULES + DUPLICATE_RULES + (COPIES_REFERENCE,)


@dataclass(frozen=True)
class ValidationPolicy:
    """Thresholds for the record and dataset rules; the defaults follow self-instruct's filters."""

    min_instruction_words: int = field(
        default=3, metadata={"help": "Instructions with fewer words fail instruction_length."}
    )
    max_instruction_words: int = field(
        default=150, metadata={"help": "Instructions with more words fail instruction_length (self-instruct: 150)."}
    )
    min_output_words: int = field(default=1, metadata={"help": "Outputs with fewer words fail output_length."})
    max_output_words: int = field(default=1000, metadata={"help": "Outputs with more words fail output_length."})
    near_duplicate_rouge_l: float = field(
        default=0.7, metadata={"help": "ROUGE-L F-measure above which a prompt is a near duplicate of an earlier one."}
    )
    reference_copy_rouge_l: float = field(
        default=0.7, metadata={"help": "ROUGE-L F-measure above which a prompt copies a reference (seed) task."}
    )
    similar_neighbours: int = field(
        default=4, metadata={"help": "Nearest other records used as references for each record's self-BLEU."}
    )
    min_valid_records: int = field(
        default=5, metadata={"help": "Records passing every record rule needed for the dataset to be usable."}
    )
    max_invalid_fraction: float = field(
        default=0.1, metadata={"help": "Largest share of records failing schema, json_output or length rules."}
    )
    max_duplicate_fraction: float = field(
        default=0.2, metadata={"help": "Largest share of exact or near-duplicate records."}
    )
    max_reference_copy_fraction: float = field(
        default=0.1, metadata={"help": "Largest share of records copying a reference task (when references given)."}
    )
    max_mean_nearest_rouge_l: float = field(
        default=0.6,
        metadata={"help": "Largest mean ROUGE-L of each prompt with its nearest other prompt (a diversity floor)."},
    )
    max_mean_self_bleu: float | None = field(
        default=None,
        metadata={
            "help": "Largest mean sentence BLEU (0-100) of each prompt against its nearest others; None turns the "
            "rule off, as BLEU on short prompts swings with length."
        },
    )
    max_examples: int = field(default=3, metadata={"help": "Example records named for each failed rule."})

    def __post_init__(self) -> None:
        for name in ("max_invalid_fraction", "max_duplicate_fraction", "max_reference_copy_fraction"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be a fraction between 0 and 1")
        if self.min_instruction_words > self.max_instruction_words or self.min_output_words > self.max_output_words:
            raise ValueError("word-count bounds are inverted")

    def to_dict(self) -> dict:
        return asdict(self)
