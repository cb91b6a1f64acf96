"""Self-instruct generation: grow a set of instruction/input/output records from a few seed tasks.

Each round, as in self-instruct and Alpaca:

1. `batch_size` prompts are built, each showing a few seed tasks (and, once there are some, machine-written
   ones) and asking the teacher for more;
2. the answers are parsed (`parsing.py`) and every proposed instruction goes through the reference filters
   (`filters.py`) and the ROUGE-L novelty check against the seeds and everything kept (`dedup.py`);
3. instructions the teacher proposed without an output are sent back to it as tasks to answer;
4. the round's new records are yielded, so the caller can store them before the next round.

`generate` is resumable: pass the records stored so far as `kept` and it continues from there, with them in
the novelty index and the example pool. A teacher failure (`TeacherError`) propagates after the rounds already
yielded, so nothing stored is lost.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from trainnet.generate.dedup import DEFAULT_ROUGE_THRESHOLD, RougeDeduplicator
from trainnet.generate.filters import DUPLICATE, EMPTY_OUTPUT, InstructionFilter, normalize_instruction
from trainnet.generate.parsing import ProposedTask, parse_proposed_tasks
from trainnet.generate.prompts import answer_prompt, proposal_prompt, proposal_stops
from trainnet.generate.seeds import SeedTask
from trainnet.generate.teachers import Completion, Teacher, teacher_info

TRUNCATED_OUTPUT = "truncated_output"
PARSE_FAILURE = "parse_failure"


@dataclass
class GenerationConfig:
    """How many records to generate and how (defaults follow Alpaca's `generate_instruction.py`)."""

    num_examples: int = field(default=100, metadata={"help": "Records wanted in total, counting those already kept."})
    num_prompt_tasks: int = field(default=3, metadata={"help": "Example tasks shown in each proposal prompt."})
    num_machine_tasks: int = field(
        default=1, metadata={"help": "How many of the examples come from generated records, once there are some."}
    )
    tasks_per_prompt: int = field(
        default=10, metadata={"help": "Length of the list the teacher is asked to complete, examples included."}
    )
    batch_size: int = field(default=8, metadata={"help": "Proposal prompts sent to the teacher per round."})
    max_new_tokens: int = field(
        default=0,
        metadata={"help": "Token limit of each proposal answer; 0: tokens_per_task for each task asked for."},
    )
    tokens_per_task: int = field(
        default=150,
        metadata={"help": "Tokens allowed per new task when max_new_tokens is 0 (seed tasks: median 109, p75 151)."},
    )
    answer_max_new_tokens: int = field(default=512, metadata={"help": "Token limit when answering a task."})
    temperature: float = field(default=1.0, metadata={"help": "Sampling temperature for proposals (0: greedy)."})
    answer_temperature: float = field(default=0.0, metadata={"help": "Sampling temperature for answers."})
    rouge_threshold: float = field(
        default=DEFAULT_ROUGE_THRESHOLD,
        metadata={"help": "Reject an instruction whose ROUGE-L F-measure with a kept one is above this."},
    )
    keep_truncated_outputs: bool = field(
        default=False, metadata={"help": "Keep answers cut by answer_max_new_tokens (dropped by default)."}
    )
    instruction_filter: InstructionFilter = field(
        default_factory=InstructionFilter, metadata={"help": "Length bounds, keyword blacklist and bad starts."}
    )
    max_idle_rounds: int = field(
        default=5, metadata={"help": "Give up (GenerationStalled) after this many rounds in a row keep nothing."}
    )
    seed: int = field(default=42, metadata={"help": "Seed for sampling the example tasks of each prompt."})

    def __post_init__(self) -> None:
        if isinstance(self.instruction_filter, dict):  # a config read back from JSON
            rules: dict[str, Any] = {
                k: tuple(v) if isinstance(v, list) else v for k, v in self.instruction_filter.items()
            }
            self.instruction_filter = InstructionFilter(**rules)
        if self.num_examples < 0 or self.batch_size < 1 or self.num_prompt_tasks < 1 or self.max_idle_rounds < 1:
            raise ValueError("num_examples must be >= 0; batch_size, num_prompt_tasks, max_idle_rounds >= 1")
        if self.tasks_per_prompt <= self.num_prompt_tasks:
            raise ValueError("tasks_per_prompt must exceed num_prompt_tasks (the examples are part of the list)")
        if self.max_new_tokens < 0 or self.tokens_per_task < 1:
            raise ValueError("max_new_tokens must be >= 0 and tokens_per_task >= 1")

    @property
    def proposal_token_limit(self) -> int:
        """Tokens a proposal may take: enough for the tasks asked for, not for rambling past them."""
        return self.max_new_tokens or self.tokens_per_task * (self.tasks_per_prompt - self.num_prompt_tasks)


@dataclass
class GenerationProgress:
    """Where a generation run stands; passed to `on_progress` after every call to the teacher.

    `proposed` counts the tasks parsed from proposals, `kept` the records kept in total (with those of an earlier
    run); `rejected` counts dropped candidates by reason: `parse_failure` (a proposal with no task in it), the
    filters' rules, `near_duplicate`, `truncated_output` and `empty_output` (answers). `truncated_proposals` are
    proposals the token limit cut (their last task is lost). Rates are over this run: `records_per_minute` of
    wall time, `tokens_per_second` of the time spent in the teacher.
    """

    target: int
    kept: int
    rounds: int = 0
    proposed: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    truncated_proposals: int = 0
    new_records: int = 0
    tokens: int = 0
    teacher_seconds: float = 0.0
    elapsed_seconds: float = 0.0
    records_per_minute: float = 0.0
    tokens_per_second: float = 0.0
    teacher: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    def count_call(self, completions: Sequence[Completion], seconds: float, started: float) -> None:
        """Add one teacher call's tokens and time, and refresh the rates."""
        self.tokens += sum(c.tokens for c in completions)
        self.teacher_seconds += seconds
        self.elapsed_seconds = time.monotonic() - started
        self.records_per_minute = round(60.0 * self.new_records / max(self.elapsed_seconds, 1e-9), 2)
        self.tokens_per_second = round(self.tokens / max(self.teacher_seconds, 1e-9), 1)


class GenerationStalled(RuntimeError):
    """Several rounds in a row produced nothing new: the teacher repeats itself or fails every filter."""


def generate(
    seed_tasks: Sequence[SeedTask],
    teacher: Teacher,
    config: GenerationConfig | None = None,
    kept: Iterable[dict] = (),
    on_progress: Callable[[GenerationProgress], None] | None = None,
) -> Iterator[list[dict]]:
    """Yield batches of new `{"instruction", "input", "output"}` records until `config.num_examples` are kept.

    `kept` are the records generated (and stored) before, on a restart; they count towards the target.
    Raises `TeacherError` when the teacher fails and `GenerationStalled` when it stops producing new tasks.
    """
    config = config or GenerationConfig()
    if not seed_tasks:
        raise ValueError("self-instruct generation needs at least one seed task")
    machine = [dict(record) for record in kept]
    rng = random.Random(f"{config.seed}:{len(machine)}")
    novelty = RougeDeduplicator(
        config.rouge_threshold, [task.instruction for task in seed_tasks] + [r["instruction"] for r in machine]
    )
    seed_records = [task.to_record() for task in seed_tasks]
    progress = GenerationProgress(target=config.num_examples, kept=len(machine), teacher=teacher_info(teacher))
    started = time.monotonic()

    def ask(prompts: list[str], max_new_tokens: int, temperature: float, stop: Sequence[str] = ()) -> list[Completion]:
        call_started = time.monotonic()
        completions = teacher.complete(prompts, max_new_tokens, temperature, stop)
        progress.count_call(completions, time.monotonic() - call_started, started)
        progress.teacher = teacher_info(teacher)
        return completions

    rejected: Counter[str] = Counter()
    idle_rounds = 0
    while len(machine) < config.num_examples:
        prompts = [
            proposal_prompt(_sample_examples(rng, seed_records, machine, config), config.tasks_per_prompt)
            for _ in range(config.batch_size)
        ]
        stops = proposal_stops(config.tasks_per_prompt)
        completions = ask(prompts, config.proposal_token_limit, config.temperature, stops)
        proposed = []
        for completion in completions:
            tasks = parse_proposed_tasks(completion.text, completion.truncated)
            if not tasks:
                rejected[PARSE_FAILURE] += 1
            if completion.truncated:
                progress.truncated_proposals += 1
            proposed += tasks
        progress.proposed += len(proposed)
        progress.rejected = dict(+rejected)
        if on_progress is not None:
            on_progress(progress)
        room = config.num_examples - len(machine)
        accepted = _select_novel(proposed, novelty, config.instruction_filter, rejected, room)
        records = _with_outputs(accepted, ask, config, rejected)
        machine += records
        progress.rounds += 1
        progress.kept = len(machine)
        progress.new_records += len(records)
        progress.rejected = dict(+rejected)
        progress.count_call([], 0.0, started)
        if on_progress is not None:
            on_progress(progress)
        if records:
            idle_rounds = 0
            yield records
            continue
        idle_rounds += 1
        if idle_rounds >= config.max_idle_rounds:
            raise GenerationStalled(
                f"no new record in {idle_rounds} rounds ({progress.proposed} tasks proposed in total, "
                f"rejections: {dict(+rejected) or 'none - the answers could not be parsed'}); "
                f"kept {len(machine)} of {config.num_examples}"
            )


def _sample_examples(
    rng: random.Random, seeds: list[dict], machine: list[dict], config: GenerationConfig
) -> list[dict]:
    """A few seed tasks and a few machine tasks, shuffled (self-instruct's mix)."""
    from_machine = rng.sample(machine, min(config.num_machine_tasks, len(machine), config.num_prompt_tasks))
    from_seeds = rng.sample(seeds, min(config.num_prompt_tasks - len(from_machine), len(seeds)))
    examples = from_machine + from_seeds
    rng.shuffle(examples)
    return examples


def _select_novel(
    proposed: list[ProposedTask], novelty: RougeDeduplicator, rules: InstructionFilter, rejected: Counter, room: int
) -> list[ProposedTask]:
    """Proposals that pass the filters and are novel, at most `room` of them, each added to the novelty index.

    An accepted instruction stays in the index even if answering it fails later, so it is not proposed again.
    """
    accepted: list[ProposedTask] = []
    for task in proposed:
        if len(accepted) == room:
            break
        instruction = normalize_instruction(task.instruction)
        reason = rules.rejection(instruction)
        if reason is None and not novelty.add_if_novel(instruction):
            reason = DUPLICATE
        if reason is not None:
            rejected[reason] += 1
            continue
        accepted.append(ProposedTask(instruction, task.input, task.output))
    return accepted


def _with_outputs(tasks: list[ProposedTask], ask: Callable, config: GenerationConfig, rejected: Counter) -> list[dict]:
    """Records for `tasks`, asking the teacher (through `ask`) to answer those it proposed without an output."""
    unanswered = [task for task in tasks if not task.output]
    prompts = [answer_prompt(task.instruction, task.input) for task in unanswered]
    answers = iter(ask(prompts, config.answer_max_new_tokens, config.answer_temperature) if prompts else [])
    records = []
    for task in tasks:
        output = task.output
        if not output:
            answer = next(answers)
            if answer.truncated and not config.keep_truncated_outputs:
                rejected[TRUNCATED_OUTPUT] += 1
                continue
            output = answer.text
        if not output.strip():
            rejected[EMPTY_OUTPUT] += 1
            continue
        records.append({"instruction": task.instruction, "input": task.input, "output": output.strip()})
    return records
