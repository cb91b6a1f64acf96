"""Weights llama.cpp reads fast: a GGUF in a legacy format without fast CPU kernels is requantized to Q8_0 once.

llama.cpp's fast CPU paths (weights repacked for AVX2/AVX-512 on load, llamafile's tiled matrix products) cover
Q4_0, Q8_0 and the K-quants, not the legacy Q4_1, Q5_0 and Q5_1. The bundled SmolLM2 ships as Q4_1; measured
here (2 threads, 8 proposal prompts), its prefill runs at 212-243 tokens/s as Q4_1 and at 432-446 as Q8_0, and
decoding 8 sequences at 110-125 against 188-196 tokens/s. Q8_0 keeps Q4_1's values almost exactly (8 bits per
weight where Q4_1 has 4, with a scale per 32), so the teacher writes what it wrote before, twice as fast.

The conversion is native code, so it runs in a child process, like the bindings check: a crash there leaves the
original file in use.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
from pathlib import Path

log = logging.getLogger(__name__)

# llama.cpp's file types (`general.file_type`) with no fast CPU kernels, by name.
SLOW_FILE_TYPES = {3: "Q4_1", 8: "Q5_0", 9: "Q5_1"}
TARGET = "Q8_0"

_REQUANTIZE = """
import ctypes, os, sys
import llama_cpp
source, target = sys.argv[1], sys.argv[2]
params = llama_cpp.llama_model_quantize_default_params()
params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_Q8_0
params.allow_requantize = True
partial = target + f".{os.getpid()}.part"
status = llama_cpp.llama_model_quantize(source.encode(), partial.encode(), ctypes.byref(params))
if status != 0:
    sys.exit(f"llama_model_quantize returned {status}")
os.replace(partial, target)
"""


def gguf_file_type(path: Path) -> int | None:
    """The GGUF's `general.file_type` (llama.cpp's LLAMA_FTYPE), or None when the file does not say."""
    from gguf import GGUFReader

    field = GGUFReader(path).fields.get("general.file_type")
    return int(field.parts[field.data[0]][0]) if field is not None else None


def fast_weights(path: Path, cache_dir: Path, timeout_s: float = 300.0) -> tuple[Path, str]:
    """The GGUF the teacher should load for `path`, and a note for the job's info ('' when it is `path` itself).

    A Q4_1/Q5_0/Q5_1 file is requantized to Q8_0 into `cache_dir` (once; the name carries the source's path,
    size and modification time, so a changed file is converted again). When the conversion fails, `path`."""
    try:
        file_type = gguf_file_type(path)
    except Exception as exc:  # noqa: BLE001 - an unreadable header is the bindings check's to report
        log.warning("cannot read the GGUF header of %s: %s", path, exc)
        return path, ""
    if file_type not in SLOW_FILE_TYPES:
        return path, ""
    source = SLOW_FILE_TYPES[file_type]
    stat = path.stat()
    key = hashlib.sha256(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]
    target = Path(cache_dir) / f"{path.stem}.{key}.{TARGET.lower()}.gguf"
    note = f"weights requantized once from {source} to {TARGET} (llama.cpp has no fast CPU kernels for {source})"
    if target.exists():
        return target, note
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            [sys.executable, "-c", _REQUANTIZE, str(path), str(target)],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            env=dict(os.environ),
        )
    except (subprocess.TimeoutExpired, OSError) as exc:
        log.warning("requantizing %s to %s failed: %s", path, TARGET, exc)
        return path, ""
    if done.returncode != 0 or not target.exists():
        for partial in target.parent.glob(f"{target.name}.*.part"):
            partial.unlink(missing_ok=True)
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        log.warning("requantizing %s to %s failed (exit %s): %s", path, TARGET, done.returncode, lines[-1:] or "")
        return path, ""
    log.info("requantized %s (%s) to %s", path, source, target)
    return target, note
