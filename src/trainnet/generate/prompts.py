"""The two prompts of self-instruct generation: propose new tasks from examples (and where such a proposal ends),
and answer one task."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

_REQUIREMENTS = """\
Requirements:
1. Vary the verbs and the phrasing: mix questions with imperative instructions.
2. Vary the kind of task: open-ended writing, classification, rewriting, extraction, reasoning, and so on.
3. A text-only language model must be able to do the task: no images, audio, files or actions in the world.
4. Write in English; each instruction is one or two sentences.
5. When the task needs an input, give a concrete, realistic one (under 100 words, no placeholders); otherwise
   write <noinput> as the input.
6. The output is a correct, complete answer to the instruction and input, under 100 words."""


def proposal_prompt(examples: Sequence[Mapping[str, str]], total_tasks: int) -> str:
    """Ask for new tasks in Alpaca's numbered `Instruction/Input/Output` format, showing `examples` first.

    The teacher is asked to continue the list up to `total_tasks`, so it writes `total_tasks - len(examples)`
    new tasks.
    """
    lines = [
        f"Come up with a list of {total_tasks} diverse tasks that will be used to teach a language model to "
        "follow instructions.",
        "",
        _REQUIREMENTS,
        "",
        f"List of {total_tasks} tasks:",
    ]
    for number, example in enumerate(examples, start=1):
        instruction = re.sub(r"\s+", " ", example["instruction"]).strip().rstrip(":")
        lines += [
            "###",
            f"{number}. Instruction: {instruction}",
            f"{number}. Input:",
            example.get("input") or "<noinput>",
            f"{number}. Output:",
            example.get("output", ""),
        ]
    first_new = len(examples) + 1
    lines += [
        "###",
        "",
        f"Now write tasks {first_new} to {total_tasks} in exactly the same format, separated by ###, "
        f"starting with '{first_new}. Instruction:'.",
    ]
    return "\n".join(lines)


def proposal_stops(total_tasks: int) -> list[str]:
    """Where a proposal is complete: the teacher starting a task past the `total_tasks` it was asked for."""
    return [f"{total_tasks + 1}. Instruction", f"{total_tasks + 1}. instruction"]


def answer_prompt(instruction: str, given_input: str = "") -> str:
    """The task itself, as a user would ask it: the instruction, then its input if any."""
    return f"{instruction}\n\n{given_input}" if given_input else instruction
