"""Turning a teacher's free text into proposed tasks, whatever shape the teacher chose.

Teachers answer the task-proposal prompt in one of a few shapes, tried in this order:

1. JSON: an array of objects, objects one per line, or objects inside a ```json fence; a truncated array keeps
   every object that is complete (an answer that starts as JSON is read only as JSON);
2. labelled blocks in Alpaca's format: `4. Instruction: ... 4. Input: ... 4. Output: ...`, separated by `###`
   (numbers, `###` and the input are optional; `<noinput>` means no input; text before a first `Input:` label
   is taken as the instruction, for answers that continue the prompt's last `N. Instruction:`);
3. a numbered or bulleted list of instructions (self-instruct's format), which have no output yet.

When the teacher stopped because of its token limit (`truncated`), the last task is likely cut and is dropped, as
Alpaca does; in labelled blocks, a task whose cut field is the output keeps its instruction and input and is
answered again instead.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_FENCE_RE = re.compile(r"```[a-zA-Z]*\n?|```")
_LABEL_RE = re.compile(
    r"(?:^|\n)[ \t]*(?:#+[ \t]*)?(?:\*\*)?(?:\d+[ \t]*[.)][ \t]*)?(?:\*\*)?"  # "### 4. **" in any mix
    r"(instruction|input|output)(?:\*\*)?[ \t]*:(?:\*\*)?",
    re.IGNORECASE,
)
_ITEM_RE = re.compile(r"^[ \t]*(?:\d+[ \t]*[.)]|[-*\u2022])[ \t]+", re.MULTILINE)
_NO_INPUT = {"<noinput>", "<no input>", "none", "n/a", "no input", "<none>"}
_KEY_ALIASES = {
    "instruction": ("instruction", "task", "prompt", "question"),
    "input": ("input", "context", "instance"),
    "output": ("output", "response", "answer", "completion"),
}


@dataclass(frozen=True)
class ProposedTask:
    """A task as the teacher wrote it; `output` is empty when the teacher gave only the instruction."""

    instruction: str
    input: str = ""
    output: str = ""


def parse_proposed_tasks(text: str, truncated: bool = False) -> list[ProposedTask]:
    """Extract the tasks from one teacher answer (see the module docstring for the accepted shapes)."""
    text = _FENCE_RE.sub("\n", text.replace("\r\n", "\n"))
    tasks = _parse_json(text)
    if tasks or text.lstrip().startswith(("{", "[")):
        return tasks
    if _LABEL_RE.search(text):
        return _parse_labelled(text, truncated)
    tasks = _parse_list(text)
    return tasks[:-1] if truncated else tasks


def _parse_json(text: str) -> list[ProposedTask]:
    """Every complete JSON object that describes a task, and the strings of complete JSON arrays."""
    decoder = json.JSONDecoder()
    tasks: list[ProposedTask] = []
    position = 0
    while True:
        starts = [index for index in (text.find("{", position), text.find("[", position)) if index >= 0]
        if not starts:
            return tasks
        start = min(starts)
        try:
            value, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            position = start + 1  # a cut array: its complete objects are still found one by one
            continue
        position = end
        for item in value if isinstance(value, list) else [value]:
            task = _task_from_json(item)
            if task is not None:
                tasks.append(task)


def _task_from_json(value: object) -> ProposedTask | None:
    if isinstance(value, str):
        return _clean_task(value)
    return _task_from_object(value) if isinstance(value, dict) else None


def _task_from_object(value: dict) -> ProposedTask | None:
    lowered = {str(key).strip().lower(): item for key, item in value.items()}
    fields = {}
    for name, aliases in _KEY_ALIASES.items():
        found = next((lowered[alias] for alias in aliases if alias in lowered), "")
        fields[name] = found if isinstance(found, str) else json.dumps(found)
    if not fields["instruction"].strip():
        return None
    return _clean_task(fields["instruction"], fields["input"], fields["output"])


def _parse_labelled(text: str, truncated: bool) -> list[ProposedTask]:
    """Alpaca's `N. Instruction: / N. Input: / N. Output:` blocks.

    In a truncated answer only the last field written can be cut: a cut output is cleared (the task will be
    answered again), a cut instruction or input drops the task.
    """
    labels = list(_LABEL_RE.finditer(text))
    tasks: list[dict[str, str]] = []
    if labels[0].group(1).lower() != "instruction":  # the answer continued right after an "N. Instruction:"
        tasks.append({"instruction": text[: labels[0].start()]})
    for label, following in zip(labels, labels[1:] + [None]):
        name = label.group(1).lower()
        content = text[label.end() : following.start() if following else len(text)]
        if name == "instruction":
            tasks.append({"instruction": content})
        elif tasks and name not in tasks[-1]:
            tasks[-1][name] = content
    if truncated and tasks:
        if list(tasks[-1])[-1] == "output":
            tasks[-1]["output"] = ""
        else:
            tasks.pop()
    cleaned = (_clean_task(**task) for task in tasks)
    return [task for task in cleaned if task is not None]


def _parse_list(text: str) -> list[ProposedTask]:
    """A numbered or bulleted list of instructions; a lone paragraph counts as one instruction."""
    markers = list(_ITEM_RE.finditer(text))
    if markers:
        chunks = [text[m.end() : n.start() if n else len(text)] for m, n in zip(markers, markers[1:] + [None])]
    else:
        chunks = [paragraph for paragraph in text.split("\n\n") if not paragraph.strip().endswith(":")][:1]
    tasks = (_clean_task(chunk.split("\n\n")[0]) for chunk in chunks)
    return [task for task in tasks if task is not None]


def _clean_task(instruction: str, input: str = "", output: str = "") -> ProposedTask | None:
    instruction = re.sub(r"\s+", " ", _strip_separators(instruction)).strip().strip("*").strip()
    given = _strip_separators(input).strip()
    if given.lower() in _NO_INPUT:
        given = ""
    if not instruction:
        return None
    return ProposedTask(instruction, given, _strip_separators(output).strip())


def _strip_separators(text: str) -> str:
    """Cut a block at Alpaca's `###` separator (what follows belongs to no field)."""
    return text.split("###")[0]
