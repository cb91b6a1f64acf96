import pytest

from trainnet.generate.filters import (
    BAD_START,
    NON_TEXT_KEYWORDS,
    NON_TEXT_TASK,
    TOO_LONG,
    TOO_SHORT,
    InstructionFilter,
    normalize_instruction,
)

RULES = InstructionFilter()


def test_a_plain_text_task_passes():
    assert RULES.rejection("Summarise the following paragraph in one sentence.") is None


def test_length_bounds_follow_the_references():
    assert RULES.rejection("Name three fruits") == TOO_SHORT
    assert RULES.rejection("Name three tropical fruits") is None
    assert RULES.rejection(" ".join(["word"] * 150)) is None
    assert RULES.rejection(" ".join(["word"] * 151)) == TOO_LONG


@pytest.mark.parametrize("keyword", NON_TEXT_KEYWORDS)
def test_each_non_text_keyword_rejects_the_task(keyword):
    assert RULES.rejection(f"Please work with the {keyword.upper()} described below carefully.") == NON_TEXT_TASK


def test_keywords_match_whole_words_only():
    assert RULES.rejection("Explain the mapping between these two lists of profiles.") is None


@pytest.mark.parametrize(
    "instruction",
    ["Write a program that sorts numbers in Python.", '"Quote" the sentence back to me please.',
     "- List three colours of the rainbow.", "Élaborez une phrase avec ces mots ici."],
)  # fmt: skip
def test_bad_starts_are_rejected(instruction):
    assert RULES.rejection(instruction) == BAD_START


def test_filter_is_configurable():
    lenient = InstructionFilter(min_words=1, blacklist=(), bad_prefixes=())
    assert lenient.rejection("Draw") is None
    assert lenient.rejection("Write a program to add two numbers.") is None


def test_normalize_collapses_spaces_strips_colon_and_capitalises():
    assert normalize_instruction("  give me\n three   NASA facts: ") == "Give me three NASA facts"
