import itertools

import pytest
from rouge_score import rouge_scorer

from trainnet.generate.filters import InstructionFilter
from trainnet.generate.self_instruct import GenerationConfig, GenerationStalled, generate
from trainnet.generate.teachers import LocalTeacher, OpenAITeacher, TeacherError

from .conftest import CANNED_TASKS, ChatStub


def _teacher(url: str) -> OpenAITeacher:
    # One request at a time, so the stub hands out its canned tasks in prompt order (concurrency: test_teachers).
    return OpenAITeacher(url, "stub-model", concurrency=1, max_retries=1, backoff_s=0.01)


def _config(**overrides) -> GenerationConfig:
    options = {"num_examples": 6, "batch_size": 2, "tasks_per_prompt": 5, "max_idle_rounds": 2}
    return GenerationConfig(**(options | overrides))


def test_generates_novel_records_from_an_openai_endpoint(chat_endpoint, seed_tasks):
    url, stub = chat_endpoint()
    progress = []
    batches = list(generate(seed_tasks, _teacher(url), _config(), on_progress=lambda p: progress.append(p.to_dict())))
    records = [record for batch in batches for record in batch]
    assert len(records) == 6 and len(batches) == 2
    assert {r["instruction"] for r in records} == {task[0] for task in CANNED_TASKS[:6]}
    assert all(set(r) == {"instruction", "input", "output"} and r["output"] for r in records)
    # Reported after each teacher call: proposals parsed (kept unchanged), then the round's records.
    assert [p["kept"] for p in progress] == [0, 4, 4, 6] and progress[-1]["proposed"] == 8
    last = progress[-1]
    assert last["new_records"] == 6 and last["rounds"] == 2 and last["rejected"] == {}
    assert last["tokens"] > 0 and last["tokens_per_second"] > 0 and last["records_per_minute"] > 0
    assert last["teacher"] == {"kind": "openai", "model": "stub-model", "base_url": url}
    # Proposals stop where the list asked for ends, with a token limit sized to the tasks asked for.
    assert stub.requests[0]["stop"] == ["6. Instruction", "6. instruction"] and stub.requests[0]["max_tokens"] == 300
    prompt = stub.requests[0]["messages"][-1]["content"]
    assert "1. Instruction:" in prompt and "3. Instruction:" in prompt and "Now write tasks 4 to 5" in prompt
    scorer = rouge_scorer.RougeScorer(["rougeL"])
    earlier = [t.instruction for t in seed_tasks]
    for record in records:
        assert max(scorer.score(record["instruction"], text)["rougeL"].fmeasure for text in earlier) <= 0.7
        earlier.append(record["instruction"])


def test_restart_continues_from_the_records_already_kept(chat_endpoint, seed_tasks):
    url, _ = chat_endpoint()
    first = [r for batch in generate(seed_tasks, _teacher(url), _config(num_examples=4)) for r in batch]
    url, stub = chat_endpoint()  # a fresh endpoint proposes the same tasks again, from the start
    progress = []
    second = [
        r
        for batch in generate(seed_tasks, _teacher(url), _config(), kept=first, on_progress=progress.append)
        for r in batch
    ]
    assert len(second) == 2
    assert not {r["instruction"] for r in second} & {r["instruction"] for r in first}
    assert progress[0].rejected == {"near_duplicate": 4} and progress[-1].kept == 6
    machine_examples = [
        r["instruction"] for r in first if any(r["instruction"] in q["messages"][-1]["content"] for q in stub.requests)
    ]
    assert machine_examples, "kept records are used as in-context examples"
    assert list(generate(seed_tasks, _teacher(url), _config(num_examples=6), kept=first + second)) == []


def test_teacher_failure_keeps_what_was_already_yielded(chat_endpoint, seed_tasks):
    url, stub = chat_endpoint(ChatStub(script=["ok", "ok"], default="500"))
    kept = []
    with pytest.raises(TeacherError, match="failed after 2 attempts: InternalServerError"):
        for batch in generate(seed_tasks, _teacher(url), _config(num_examples=10)):
            kept += batch
    assert {r["instruction"] for r in kept} == {task[0] for task in CANNED_TASKS[:4]}


def test_endpoint_answering_garbage_raises_after_retries(chat_endpoint, seed_tasks):
    url, _ = chat_endpoint(ChatStub(default="not_json"))
    with pytest.raises(TeacherError, match="failed after 2 attempts"):
        next(generate(seed_tasks, _teacher(url), _config()))


def test_a_teacher_that_repeats_itself_stalls_with_the_reason(chat_endpoint, seed_tasks):
    url, _ = chat_endpoint(ChatStub(default="repeat"))
    batches = generate(seed_tasks, _teacher(url), _config(max_idle_rounds=2))
    assert len(next(batches)) == 2
    with pytest.raises(GenerationStalled, match=r"no new record in 2 rounds .*near_duplicate.*kept 2 of 6"):
        next(batches)


def test_proposals_go_through_the_reference_filters(chat_endpoint, seed_tasks):
    bad = [("Draw a picture of a cat in the snow.", "", "x"), ("Write a program to sort a list of names.", "", "x"),
           ("Say hi.", "", "x"), ("Describe the image below in detail please.", "", "x")]  # fmt: skip
    url, _ = chat_endpoint(ChatStub(tasks=bad + CANNED_TASKS[:2]))
    progress = []
    records = next(generate(seed_tasks, _teacher(url), _config(batch_size=3), on_progress=progress.append))
    assert {r["instruction"] for r in records} == {CANNED_TASKS[0][0], CANNED_TASKS[1][0]}
    assert progress[0].rejected == {"non_text_keyword": 2, "bad_start": 1, "too_short": 1}


def test_instructions_proposed_without_output_are_answered_by_the_teacher(chat_endpoint, seed_tasks):
    url, stub = chat_endpoint(ChatStub(instruction_only=True))
    records = next(generate(seed_tasks, _teacher(url), _config(num_examples=2, batch_size=1)))
    assert records == [
        {"instruction": CANNED_TASKS[i][0], "input": "", "output": f"Here is my answer to: {CANNED_TASKS[i][0][:60]}"}
        for i in range(2)
    ]
    assert [request["messages"][-1]["content"] for request in stub.requests[1:]] == [
        CANNED_TASKS[0][0],
        CANNED_TASKS[1][0],
    ]


def test_config_read_back_from_json_rebuilds_its_instruction_filter():
    config = GenerationConfig(instruction_filter={"min_words": 2, "blacklist": ["spreadsheet"]})
    assert config.instruction_filter == InstructionFilter(min_words=2, blacklist=("spreadsheet",))
    assert config.instruction_filter.rejection("Open the spreadsheet now.") == "non_text_keyword"


def test_config_and_inputs_are_checked():
    with pytest.raises(ValueError, match="tasks_per_prompt must exceed"):
        GenerationConfig(num_prompt_tasks=5, tasks_per_prompt=5)
    with pytest.raises(ValueError, match="at least one seed task"):
        next(generate([], teacher=None))


@pytest.mark.slow
def test_generates_records_with_the_real_local_smollm2(smollm2, seed_tasks):
    model, tokenizer = smollm2
    short_seeds = [t for t in seed_tasks if len(f"{t.instruction} {t.input} {t.output}".split()) < 30]
    config = GenerationConfig(
        num_examples=2, num_prompt_tasks=2, tasks_per_prompt=5, batch_size=2, max_new_tokens=64,
        answer_max_new_tokens=24, keep_truncated_outputs=True, temperature=0.9, max_idle_rounds=3, seed=1,
    )  # fmt: skip
    teacher = LocalTeacher(model=model, tokenizer=tokenizer, batch_size=2, seed=1)
    records = list(itertools.chain.from_iterable(generate(short_seeds, teacher, config)))
    assert len(records) == 2
    assert all(r["instruction"] and r["output"] for r in records)
