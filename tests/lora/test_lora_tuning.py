import copy

import pytest

from trainnet.lora import LoraTrialParams
from trainnet.lora.lora_tuning import (
    IGNORE_INDEX,
    evaluate_loss,
    load_base_model,
    prepare_dataset,
    prompt_text,
    run_trial,
    tokenize_record,
)


def test_prompt_applies_the_chat_template_and_ends_where_the_response_starts(tokenizer):
    prompt = prompt_text(tokenizer, "Write the number in words.", "7")
    assert "<|im_start|>user\nWrite the number in words.\n\n7<|im_end|>" in prompt
    assert prompt.endswith("<|im_start|>assistant\n")


def test_prompt_falls_back_to_an_instruction_layout_without_a_chat_template(tokenizer):
    plain = copy.deepcopy(tokenizer)
    plain.chat_template = None
    assert prompt_text(plain, "Greet Ana.").endswith("### Instruction:\nGreet Ana.\n\n### Response:\n")
    assert "### Input:\n7\n\n### Response:\n" in prompt_text(plain, "Write the number in words.", "7")


def test_labels_cover_the_response_and_eos_only(tokenizer):
    record = {"instruction": "Write the number in words.", "input": "7", "output": "seven"}
    example = tokenize_record(record, tokenizer, max_length=128)
    n_prompt = example.labels.count(IGNORE_INDEX)
    assert example.labels[:n_prompt] == [IGNORE_INDEX] * n_prompt
    assert tokenizer.decode(example.input_ids[:n_prompt]) == prompt_text(tokenizer, "Write the number in words.", "7")
    assert example.labels[n_prompt:] == example.input_ids[n_prompt:]
    assert tokenizer.decode(example.labels[n_prompt:]) == "seven" + tokenizer.eos_token


def test_long_responses_are_cut_and_prompts_filling_max_length_are_dropped(tokenizer):
    long_output = {"instruction": "Count.", "input": "", "output": " ".join(["word"] * 200)}
    example = tokenize_record(long_output, tokenizer, max_length=48)
    assert len(example.input_ids) == 48 and example.labels[-1] != IGNORE_INDEX
    long_prompt = {"instruction": " ".join(["word"] * 200), "input": "", "output": "ok"}
    assert tokenize_record(long_prompt, tokenizer, max_length=48) is None


def test_prepare_dataset_holds_out_a_seeded_eval_split(tokenizer, make_config, make_records):
    records = make_records(40)
    config = make_config(eval_fraction=0.25)
    train, eval = prepare_dataset(records, tokenizer, config)
    assert (len(train), len(eval)) == (30, 10)
    as_keys = lambda examples: {tuple(e.input_ids) for e in examples}  # noqa: E731
    assert not as_keys(train) & as_keys(eval)
    assert as_keys(prepare_dataset(records, tokenizer, config)[1]) == as_keys(eval)
    reseeded = make_config(eval_fraction=0.25, seed=1)
    assert as_keys(prepare_dataset(records, tokenizer, reseeded)[1]) != as_keys(eval)


def test_a_dataset_too_small_for_an_eval_split_names_the_problem(tokenizer, make_config, make_records):
    config = make_config(eval_fraction=0.1)
    with pytest.raises(ValueError, match=r"dataset too small for an eval split: 5 usable records .* at least 20"):
        prepare_dataset(make_records(5), tokenizer, config)


def test_a_record_without_output_is_rejected_by_index(tokenizer, make_config, make_records):
    records = make_records(8)
    records[3] = {"instruction": "Greet Bo.", "input": ""}
    with pytest.raises(ValueError, match="record 3 has no 'output' text"):
        prepare_dataset(records, tokenizer, make_config())


def test_an_unknown_base_model_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown base model 'no-such-org/no-such-model'"):
        load_base_model("no-such-org/no-such-model")


def test_one_trial_lowers_the_eval_loss_and_saves_its_best_adapter(
    tokenizer, tiny_model_dir, make_config, make_records, tmp_path
):
    config = make_config(max_steps=12, evals_per_trial=3)
    train, eval = prepare_dataset(make_records(32), tokenizer, config)
    base, _ = load_base_model(str(tiny_model_dir))
    initial = evaluate_loss(base, eval, config.batch_size, tokenizer.pad_token_id)
    reported = []

    result = run_trial(
        config.model_name,
        train,
        eval,
        LoraTrialParams(rank=4, lora_alpha=8, learning_rate=2e-2),
        config,
        report=lambda step, loss: reported.append((step, loss)),
        adapter_dir=tmp_path,
    )

    assert [s for s, _ in result.eval_losses] == [4, 8, 12]
    best_so_far = [(s, min(loss for t, loss in result.eval_losses if t <= s)) for s, _ in result.eval_losses]
    assert reported == best_so_far
    assert result.eval_loss == min(loss for _, loss in result.eval_losses) < initial - 1.0, result.eval_losses
    assert result.device == "cpu" and result.steps == 12
    assert (tmp_path / "adapter_config.json").is_file() and (tmp_path / "adapter_model.safetensors").is_file()
