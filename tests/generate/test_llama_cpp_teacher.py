"""The llama.cpp teacher on the bundled SmolLM2 GGUF (a few tokens each), and the child-process check that decides
whether a worker may use the bindings: real children that load the model, lack the bindings, crash or hang."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from trainnet.generate.bindings_check import check_bindings
from trainnet.generate.llama_cpp_teacher import LlamaCppTeacher, is_looping, shared_prefix_length
from trainnet.generate.requantize import fast_weights, gguf_file_type
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


def test_more_prompts_than_slots_take_the_slots_that_free_up(bundled, parallel):
    prompts = [*PROMPTS, "Name a fruit.", "Say hello."]
    two = LlamaCppTeacher(bundled, threads=1, parallel=2)
    answers = two.complete(prompts, max_new_tokens=6, temperature=0.0)
    # The same answers, in the prompts' order, as with a slot for every prompt.
    assert [c.text.split()[:2] for c in answers] == [
        c.text.split()[:2] for c in parallel.complete(prompts, max_new_tokens=6, temperature=0.0)
    ]
    # The chat template's beginning, shared by every prompt, is read once and kept for the next call, which then
    # answers the same (greedy) as the first.
    assert 0 < len(two._prefix) < min(len(two.prompt_tokens(p)) for p in prompts)
    assert [c.text for c in two.complete(prompts, 6, 0.0)] == [c.text for c in answers]
    two.close()


def test_shared_prefix_leaves_every_prompt_a_token_of_its_own():
    assert shared_prefix_length([[1, 2, 3, 4], [1, 2, 5], [1, 2, 3]]) == 2
    assert shared_prefix_length([[1, 2, 3], [1, 2, 3]]) == 2
    assert shared_prefix_length([[7, 8, 9]]) == 2
    assert shared_prefix_length([[1, 2], [3, 4]]) == 0
    assert shared_prefix_length([]) == 0


def test_a_long_stretch_repeated_word_for_word_is_a_loop():
    sentence = list(range(100, 130))  # 30 tokens
    assert is_looping([1, 2, 3] + sentence * 4, window=48)
    assert not is_looping(list(range(200)), window=48)
    # Lists repeat short markers ("###", "Instruction:"), not long stretches.
    listing = [t for i in range(10) for t in (5, 6, 7, *range(1000 + 20 * i, 1020 + 20 * i))]
    assert not is_looping(listing, window=48)
    # A sentence said twice is not yet a loop of 48 tokens; said four times it is.
    assert not is_looping([1, 2, 3] + sentence * 2, window=48)


def test_a_q4_1_gguf_is_requantized_to_q8_0_once(bundled, tmp_path):
    assert gguf_file_type(Path(bundled)) == 3  # the bundled SmolLM2 is Q4_1
    weights, note = fast_weights(Path(bundled), tmp_path)
    assert weights.parent == tmp_path and weights.name.endswith(".q8_0.gguf") and gguf_file_type(weights) == 7
    assert note == "weights requantized once from Q4_1 to Q8_0 (llama.cpp has no fast CPU kernels for Q4_1)"
    modified = weights.stat().st_mtime_ns
    assert fast_weights(Path(bundled), tmp_path) == (weights, note) and weights.stat().st_mtime_ns == modified
    # A Q8_0 file is fast already: used as it is.
    assert fast_weights(weights, tmp_path / "other") == (weights, "")
    assert list(tmp_path.glob("*.part")) == []


def test_a_requantization_that_fails_keeps_the_original_file(tmp_path):
    from gguf import GGUFWriter

    header_only = tmp_path / "q4_1-no-tensors.gguf"  # says Q4_1, holds nothing llama.cpp can convert
    writer = GGUFWriter(str(header_only), "llama")
    writer.add_file_type(3)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    assert fast_weights(header_only, tmp_path / "cache") == (header_only, "")
    assert list((tmp_path / "cache").glob("*")) == []


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


def test_the_bindings_use_the_vector_instructions_this_cpu_has():
    # `make install` builds llama.cpp for what the kernel reports: AVX-512 and its parts where present (a build
    # without them runs the quantized kernels 1.4-1.6x slower), AMX never.
    import llama_cpp

    built = {
        name.strip(): value.strip() == "1"
        for name, _, value in (f.partition("=") for f in llama_cpp.llama_print_system_info().decode().split("|"))
    }
    flags = next(line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags")).split()
    avx512 = {"avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw"} <= set(flags)
    expected = {
        "AVX512": avx512,
        "AVX512_VNNI": avx512 and "avx512_vnni" in flags,
        "AVX512_VBMI": avx512 and "avx512vbmi" in flags,
        "AVX512_BF16": avx512 and "avx512_bf16" in flags,
    }
    assert built.get("AVX2") and {name: built.get(name, False) for name in expected} == expected
    assert not built.get("AMX_INT8", False)


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


def test_a_worker_runs_the_bundled_model_on_its_q8_0_copy(bundled, tmp_path):
    teacher = make_teacher({"kind": "llamacpp", "model": "smollm2", "threads": 1, "cache_dir": str(tmp_path)})
    assert isinstance(teacher, LlamaCppTeacher) and teacher.model_path.endswith(".q8_0.gguf")
    assert teacher.info["model"] == bundled and "from Q4_1 to Q8_0" in teacher.info["weights"]
    [answer] = teacher.complete(["Name a colour."], 4, 0.0)
    assert answer.text and answer.tokens <= 4
    teacher.close()


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
