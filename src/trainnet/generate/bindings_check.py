"""Whether the llama.cpp bindings work on this machine, asked of a child process before a worker trusts them.

llama.cpp built for another CPU (or for this one, in a VM that hides some of its instructions) dies in native
code at the first decode: a SIGILL or SIGSEGV that no `try` catches and that would take the worker down mid-job.
So a child loads the model and decodes a few tokens first; if it fails, crashes or hangs, generation uses the
transformers teacher instead and says why. The verdict is kept for the life of the process, per model file.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache

log = logging.getLogger(__name__)

# Run with `python -c`: it needs nothing but the bindings (a prompt long enough for the batched prefill kernels,
# then token-by-token decoding, the two paths a CPU feature mismatch breaks).
_CHECK = """
import sys
from llama_cpp import Llama
llm = Llama(model_path=sys.argv[1], n_ctx=256, n_threads=1, verbose=False)
out = llm.create_completion("Hello, " * 24, max_tokens=4, temperature=0.0)
print("decoded", out["usage"]["completion_tokens"], "tokens")
"""


@dataclass(frozen=True)
class BindingsVerdict:
    """`ok` when the child loaded the model and decoded; otherwise `reason` says what went wrong."""

    ok: bool
    reason: str = ""


@lru_cache(maxsize=16)
def check_bindings(
    model_path: str,
    timeout_s: float = 120.0,
    python: tuple[str, ...] = (sys.executable,),
    env: tuple[tuple[str, str], ...] = (),
) -> BindingsVerdict:
    """Load `model_path` with llama-cpp-python and decode a few tokens in a child process (`python`, with `env`
    added to this process's environment), once per process and arguments."""
    try:
        done = subprocess.run(
            [*python, "-c", _CHECK, model_path],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            env={**os.environ, **dict(env)},
        )
    except subprocess.TimeoutExpired:
        verdict = BindingsVerdict(False, f"the llama.cpp check did not finish in {timeout_s:.0f} s")
    except OSError as exc:
        verdict = BindingsVerdict(False, f"the llama.cpp check could not start: {exc}")
    else:
        verdict = _verdict(done.returncode, done.stderr)
    log.log(logging.INFO if verdict.ok else logging.WARNING, "llama.cpp bindings on %s: %s", model_path, verdict)
    return verdict


def _verdict(returncode: int, stderr: str) -> BindingsVerdict:
    if returncode == 0:
        return BindingsVerdict(True)
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return BindingsVerdict(False, f"the llama.cpp check crashed ({name})")
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return BindingsVerdict(False, f"the llama.cpp check failed: {lines[-1][:300] if lines else f'exit {returncode}'}")
