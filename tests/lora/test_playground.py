import shutil
import threading

import pytest
import torch

from trainnet.lora import LoraTrialParams
from trainnet.lora.lora_tuning import prepare_dataset, prompt_text, run_trial
from trainnet.lora.playground import generate_pair, load_adapter_model
from trainnet.models.llm import load_causal_lm

PROMPT = "Greet Ana."


@pytest.fixture(scope="module")
def adapter_dir(tokenizer, tiny_model_dir, make_config, make_records, tmp_path_factory):
    """An adapter that learned the tiny instruction set (12 steps at a high learning rate)."""
    config = make_config(max_steps=12, evals_per_trial=1)
    train, eval = prepare_dataset(make_records(32), tokenizer, config)
    folder = tmp_path_factory.mktemp("adapter")
    run_trial(config.model_name, train, eval, LoraTrialParams(4, 16, 2e-2), config, adapter_dir=folder)
    return folder


def plain_greedy(model, tokenizer, prompt: str, max_new_tokens: int) -> str:
    """What a user gets with transformers + PEFT alone, as the adapter snippet of the UI shows."""
    inputs = tokenizer(prompt_text(tokenizer, prompt), return_tensors="pt", add_special_tokens=False)
    with torch.no_grad():
        output = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False)
    return tokenizer.decode(output[0][inputs["input_ids"].shape[1] :], skip_special_tokens=True).strip()


def test_the_pair_is_the_base_model_and_base_plus_adapter_decoded_greedily(tiny_model_dir, adapter_dir):
    from peft import PeftModel

    completions = generate_pair(load_adapter_model(str(tiny_model_dir), adapter_dir), PROMPT, max_new_tokens=8)

    base, tokenizer = load_causal_lm(str(tiny_model_dir))
    assert completions.base == plain_greedy(base, tokenizer, PROMPT, 8)
    tuned = PeftModel.from_pretrained(load_causal_lm(str(tiny_model_dir))[0], adapter_dir)
    assert completions.adapter == plain_greedy(tuned, tokenizer, PROMPT, 8)
    assert completions.adapter != completions.base, completions


def test_generation_stops_after_max_new_tokens(tiny_model_dir, adapter_dir):
    loaded = load_adapter_model(str(tiny_model_dir), adapter_dir)
    one, eight = (generate_pair(loaded, PROMPT, max_new_tokens=n) for n in (1, 8))
    for short, long in ((one.base, eight.base), (one.adapter, eight.adapter)):
        assert short and long.startswith(short) and len(short) < len(long)


def test_an_adapter_without_safetensors_weights_is_refused(tiny_model_dir, adapter_dir, tmp_path):
    pickled = tmp_path / "adapter"
    shutil.copytree(adapter_dir, pickled)
    (pickled / "adapter_model.safetensors").rename(pickled / "adapter_model.bin")
    with pytest.raises(ValueError, match="no adapter_model.safetensors"):
        load_adapter_model(str(tiny_model_dir), pickled)


def test_generations_on_one_model_take_turns(tiny_model_dir, adapter_dir):
    """Generating with the adapter disabled changes the model while it runs: concurrent requests must not mix."""
    loaded = load_adapter_model(str(tiny_model_dir), adapter_dir)
    alone = generate_pair(loaded, PROMPT, max_new_tokens=6)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(generate_pair(loaded, PROMPT, max_new_tokens=6)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [alone] * 4
