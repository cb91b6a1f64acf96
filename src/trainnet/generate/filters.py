"""The heuristic filters self-instruct and Alpaca apply to every generated instruction.

Each filter returns the name of the rule a task breaks, or None; the ROUGE-L novelty check lives in
`dedup.py` because it depends on everything kept so far.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from functools import cached_property

# Alpaca's list (self-instruct's plus video/audio/music/flowchart/diagram): tasks a text model cannot do.
NON_TEXT_KEYWORDS = (
    "image", "images", "graph", "graphs", "picture", "pictures", "file", "files", "map", "maps",
    "draw", "plot", "go to", "video", "audio", "music", "flowchart", "diagram",
)  # fmt: skip
BAD_PREFIXES = ("Write a program",)

TOO_SHORT = "too_short"
TOO_LONG = "too_long"
NON_TEXT_TASK = "non_text_keyword"
BAD_START = "bad_start"
EMPTY_OUTPUT = "empty_output"
DUPLICATE = "near_duplicate"


@dataclass(frozen=True)
class InstructionFilter:
    """Bounds and word lists for accepting a generated instruction (defaults: the reference scripts)."""

    min_words: int = field(default=4, metadata={"help": "Fewer words than this is too short (reference: <= 3)."})
    max_words: int = field(default=150, metadata={"help": "More words than this is too long (reference: > 150)."})
    blacklist: tuple[str, ...] = field(
        default=NON_TEXT_KEYWORDS,
        metadata={"help": "Whole words or phrases (case-insensitive) that mark a task a text model cannot do."},
    )
    bad_prefixes: tuple[str, ...] = field(
        default=BAD_PREFIXES, metadata={"help": "Instructions starting with these are rejected."}
    )

    @cached_property
    def _blacklist_re(self) -> re.Pattern | None:
        words = "|".join(re.escape(word) for word in self.blacklist)
        return re.compile(rf"\b({words})\b", re.IGNORECASE) if words else None

    def rejection(self, instruction: str) -> str | None:
        """The rule `instruction` breaks, or None when it is acceptable."""
        word_count = len(instruction.split())
        if word_count < self.min_words:
            return TOO_SHORT
        if word_count > self.max_words:
            return TOO_LONG
        if self._blacklist_re is not None and self._blacklist_re.search(instruction):
            return NON_TEXT_TASK
        if instruction.startswith(self.bad_prefixes):
            return BAD_START
        first = instruction[0]
        if first in string.punctuation or not first.isascii():
            return BAD_START
        return None


def normalize_instruction(text: str) -> str:
    """Collapse whitespace, strip a trailing colon, and capitalise the first letter (as the references do)."""
    text = re.sub(r"\s+", " ", text).strip().rstrip(":").strip()
    return text[:1].upper() + text[1:]
