import pytest

from trainnet.generate.teachers import LocalTeacher, OpenAITeacher, TeacherError, make_teacher

from .conftest import ChatStub


def _teacher(url, **options) -> OpenAITeacher:
    options.setdefault("backoff_s", 0.01)
    return OpenAITeacher(url, "stub-model", api_key="k", **options)


def test_openai_teacher_answers_in_order_with_concurrent_requests(chat_endpoint):
    url, stub = chat_endpoint(ChatStub(delay_s=0.2))
    prompts = [f"Question number {i}?" for i in range(4)]
    completions = _teacher(url, concurrency=4).complete(prompts, max_new_tokens=32, temperature=0.5)
    assert [c.text for c in completions] == [f"Here is my answer to: Question number {i}?" for i in range(4)]
    assert stub.max_in_flight >= 2
    assert all(c.tokens > 0 and not c.truncated for c in completions)
    assert stub.requests[0]["max_tokens"] == 32 and stub.requests[0]["temperature"] == 0.5


def test_transient_failures_are_retried_until_the_endpoint_answers(chat_endpoint):
    url, stub = chat_endpoint(ChatStub(script=["500", "not_json", "garbage"]))
    [completion] = _teacher(url, max_retries=3).complete(["Hello there?"], 16, 0.0)
    assert completion.text.startswith("Here is my answer")
    assert len(stub.requests) == 4


def test_endpoint_that_is_down_fails_with_the_reason_after_retries(closed_port_url):
    with pytest.raises(TeacherError, match=r"failed after 3 attempts: APIConnectionError"):
        _teacher(closed_port_url, max_retries=2).complete(["Hello?"], 16, 0.0)


@pytest.mark.parametrize(("behaviour", "reason"), [("garbage", "malformed response"), ("500", "InternalServerError")])
def test_endpoint_that_keeps_answering_garbage_fails_after_retries(chat_endpoint, behaviour, reason):
    url, stub = chat_endpoint(ChatStub(default=behaviour))
    with pytest.raises(TeacherError, match=reason):
        _teacher(url, max_retries=2).complete(["Hello?"], 16, 0.0)
    assert len(stub.requests) == 3


def test_rejected_credentials_fail_at_once(chat_endpoint):
    url, stub = chat_endpoint(ChatStub(default="401"))
    with pytest.raises(TeacherError, match="refused the request: AuthenticationError"):
        _teacher(url, max_retries=5).complete(["Hello?"], 16, 0.0)
    assert len(stub.requests) == 1


def test_make_teacher_builds_both_kinds_from_plain_specs(tmp_path):
    local = make_teacher({"kind": "local", "model": "smollm2", "cache_dir": str(tmp_path), "batch_size": 4})
    assert isinstance(local, LocalTeacher) and local.batch_size == 4 and local.model_name == "smollm2"
    remote = make_teacher({"kind": "openai", "base_url": "http://127.0.0.1:1/v1", "model": "m", "concurrency": 2})
    assert isinstance(remote, OpenAITeacher) and remote.concurrency == 2


@pytest.mark.parametrize(
    ("spec", "message"),
    [({"kind": "magic"}, "unknown teacher kind"), ({"kind": "openai", "model": "m"}, "needs base_url"),
     ({"kind": "local", "modle": "smollm2"}, "bad local teacher spec")],
)  # fmt: skip
def test_make_teacher_rejects_bad_specs(spec, message):
    with pytest.raises(ValueError, match=message):
        make_teacher(spec)


@pytest.mark.slow
def test_local_teacher_generates_a_left_padded_batch(smollm2):
    model, tokenizer = smollm2
    teacher = LocalTeacher(model=model, tokenizer=tokenizer, batch_size=3)
    prompts = ["What is the capital of France?", "Name a colour.", "Write one long sentence about the history of Rome."]
    batched = teacher.complete(prompts, max_new_tokens=12, temperature=0.0)
    assert [len(c.text) > 0 for c in batched] == [True, True, True]
    assert all(0 < c.tokens <= 12 and c.truncated == (c.tokens == 12) for c in batched)
    alone = LocalTeacher(model=model, tokenizer=tokenizer, batch_size=1).complete(prompts[:1], 12, 0.0)
    assert alone[0].text.split()[:3] == batched[0].text.split()[:3]
