"""The llama.cpp teacher on the bundled SmolLM2 GGUF (a few tokens each), and the child-process check that decides
whether a worker may use the bindings: real children that load the model, lack the bindings, crash or hang."""

from __future__ import annotations

import sys
import textwrap

import pytest

from trainnet.generate.bindings_check import check_bindings
from trainnet.generate.llama_cpp_teacher import LlamaCppTeacher
from trainnet.generate.teachers import LocalTeacher, make_teacher, teacher_spec
from trainnet.models.llm import gguf_path
from trainnet.settings import Settings

PROMPTS = ["What is the capital of France?", "Name a colour.", "Count to five."]


@pytest.fixture(scope="module")
def bundled() -> str:
    return str(gguf_path("smollm2"))


@pytest.fixture(scope="module")
def parallel(bundled):
    teacher = LlamaCppTeacher(bundled, threads=1, parallel=4)
    yield teacher
    teacher.close()


def test_parallel_sequences_answer_each_prompt_in_order(bundled, parallel):
    together = parallel.complete(PROMPTS, max_new_tokens=6, temperature=0.0)
    assert all(c.text and 0 < c.tokens <= 6 and c.truncated == (c.tokens == 6) for c in together)
    one = LlamaCppTeacher(bundled, threads=1, parallel=1)
    alone = one.complete(PROMPTS, max_new_tokens=6, temperature=0.0)
    one.close()
    # The same greedy answer as one sequence alone, up to the last digits of a batched matmul.
    assert [c.text.split()[:2] for c in together] == [c.text.split()[:2] for c in alone]
    assert parallel.info == {"kind": "llamacpp", "model": bundled, "parallel": 4, "threads": 1}


def test_a_stop_string_ends_the_answer_before_it(parallel):
    [counted] = parallel.complete(["Count from 1 to 20, one number per line."], 40, 0.0, stop=["4"])
    assert counted.text and "4" not in counted.text and not counted.truncated and counted.tokens < 40


def test_sampling_is_seeded(bundled, parallel):
    first = parallel.complete(PROMPTS[:2], 6, temperature=1.0)
    again = LlamaCppTeacher(bundled, threads=1, parallel=4)
    assert [c.text for c in again.complete(PROMPTS[:2], 6, temperature=1.0)] != [] and again.seed == parallel.seed
    # The n-th call of two teachers with the same seed samples the same tokens.
    replay = LlamaCppTeacher(bundled, threads=1, parallel=4)
    replay._calls = parallel._calls - 1
    assert [c.text for c in replay.complete(PROMPTS[:2], 6, temperature=1.0)] == [c.text for c in first]
    again.close()
    replay.close()


def test_the_check_passes_on_the_bundled_model(bundled):
    assert check_bindings(bundled).ok


def test_the_check_fails_when_the_bindings_are_missing(bundled):
    # -S: no site-packages, so `import llama_cpp` really fails in the child.
    verdict = check_bindings(bundled, python=(sys.executable, "-S"))
    assert not verdict.ok and "No module named 'llama_cpp'" in verdict.reason


def _startup(tmp_path, code: str) -> tuple[tuple[str, str], ...]:
    """An environment whose Python runs `code` at start-up (sitecustomize), before the check does anything."""
    (tmp_path / "sitecustomize.py").write_text(textwrap.dedent(code))
    return (("PYTHONPATH", str(tmp_path)),)


def test_the_check_reports_a_child_that_crashes(bundled, tmp_path):
    env = _startup(tmp_path, "import faulthandler\nfaulthandler._sigsegv()\n")
    verdict = check_bindings(bundled, env=env)
    assert not verdict.ok and verdict.reason == "the llama.cpp check crashed (SIGSEGV)"


def test_the_check_gives_up_on_a_child_that_hangs(bundled, tmp_path):
    verdict = check_bindings(bundled, timeout_s=1.0, env=_startup(tmp_path, "import time\ntime.sleep(30)\n"))
    assert not verdict.ok and "did not finish in 1 s" in verdict.reason


def test_a_gguf_the_bindings_cannot_load_falls_back_to_transformers_and_says_why(tmp_path):
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\x00" * 64)
    teacher = make_teacher({"kind": "llamacpp", "model": str(broken), "batch_size": 2, "cache_dir": str(tmp_path)})
    assert isinstance(teacher, LocalTeacher) and teacher.batch_size == 2 and teacher.model_name == str(broken)
    assert teacher.info["fallback"].startswith("llama.cpp not used: the llama.cpp check failed: ")


def test_the_bundled_model_runs_on_llama_cpp_when_the_bindings_work(bundled):
    spec = teacher_spec("local", Settings(), batch_size=4)
    assert spec == {"kind": "llamacpp", "model": "smollm2", "batch_size": 4}
    teacher = make_teacher({**spec, "threads": 1})
    assert isinstance(teacher, LlamaCppTeacher) and teacher.model_path == bundled


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [(None, "missing.gguf", "no GGUF file at"), (b"not a model", "text.gguf", "does not start with the GGUF magic"),
     (b"GGUF", "model.bin", "is not a .gguf file name")],
)  # fmt: skip
def test_a_bad_gguf_path_is_refused_with_the_reason(tmp_path, content, name, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        teacher_spec("gguf", Settings(), model=str(path))
