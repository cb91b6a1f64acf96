"""The LRU cache of loaded models."""

import threading
import time

import pytest

from trainnet.models.cache import ModelCache


def test_the_least_recently_used_model_goes_first():
    cache: ModelCache[str] = ModelCache(2)
    loads = []

    def loader(key):
        return lambda: loads.append(key) or key.upper()

    assert cache.get("a", loader("a")) == "A"
    cache.get("b", loader("b"))
    cache.get("a", loader("a"))  # a is now the most recent
    cache.get("c", loader("c"))
    assert "a" in cache and "c" in cache and "b" not in cache
    assert loads == ["a", "b", "c"]


def test_a_model_asked_for_by_many_threads_at_once_is_loaded_once():
    cache: ModelCache[int] = ModelCache(2)
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return 42

    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("m", slow))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [42] * 8 and len(calls) == 1


def test_a_failed_load_is_not_cached_and_the_next_call_retries():
    cache: ModelCache[int] = ModelCache(1)

    def broken():
        raise OSError("storage down")

    with pytest.raises(OSError):
        cache.get("m", broken)
    assert cache.get("m", lambda: 7) == 7
