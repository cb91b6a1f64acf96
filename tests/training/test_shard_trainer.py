import pickle

import pytest
import torch

from tests.conftest import TINY_DISTILBERT, digits_rows, text_rows
from trainnet.training.batches import encode
from trainnet.training.evaluate import evaluate, recalibrate_batchnorm
from trainnet.training.model_io import load_weights, save_weights
from trainnet.training.model_zoo import MODEL_TYPES, ModelSourceError, build_initial_model, resolve_weights
from trainnet.training.shard_trainer import train_shard


@pytest.fixture(scope="module")
def tiny_text():
    rows = text_rows(20)
    texts, labels = [r["text"] for r in rows], [int(r["label"] == "pos") for r in rows]
    model, tokenizer, info = build_initial_model(
        MODEL_TYPES["distilbert"], ["neg", "pos"], texts, config_overrides=dict(TINY_DISTILBERT)
    )
    return model, tokenizer, info, encode("text", texts, labels, tokenizer)


def test_random_init_distilbert_says_so_and_its_tokenizer_knows_the_upload(tiny_text):
    _, tokenizer, info, _ = tiny_text
    assert info.pretrained is False and "random init" in info.note
    assert tokenizer.unk_token_id not in tokenizer("great movie")["input_ids"]


def test_training_a_shard_lowers_the_loss_and_reports_progress(tiny_text):
    model, _, _, data = tiny_text
    torch.manual_seed(0)
    before = evaluate(model, data)["loss"]
    seen = []
    result = train_shard(
        model,
        data,
        epochs=15,
        learning_rate=3e-3,
        batch_size=8,
        on_progress=lambda step, total, loss: seen.append((step, total)),
    )
    assert result.rows == 40 and result.steps == 75 and seen[-1] == (75, 75)
    assert evaluate(model, data)["loss"] < before
    assert set(result.state_dict) == set(model.state_dict())


def test_evaluate_reports_accuracy_f1_and_loss(tiny_text):
    model, _, _, data = tiny_text
    metrics = evaluate(model, data)
    assert set(metrics) == {"accuracy", "macro_f1", "loss"} and 0 <= metrics["accuracy"] <= 1


def test_a_random_init_mobilenet_gets_he_normal_convolutions_not_the_fine_tuning_default():
    model, _, _ = build_initial_model(MODEL_TYPES["mobilenet_v2"], [str(i) for i in range(10)], [], image_size=32)
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    for conv in convs:
        fan_out = conv.out_channels * conv.kernel_size[0] * conv.kernel_size[1]  # as torch counts it, groups aside
        expected = (2 / fan_out) ** 0.5
        assert 0.8 * expected < conv.weight.std().item() < 1.2 * expected, conv
    pointwise = [c for c in convs if c.kernel_size == (1, 1)]
    assert min(c.weight.std().item() for c in pointwise) > 0.03  # transformers' default draws N(0, 0.02)
    assert abs(model.classifier.weight.std().item() - 0.01) < 0.002 and not model.classifier.bias.any()
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert all(bool((n.weight == 1).all()) and not n.bias.any() for n in norms)


def test_batchnorm_re_estimation_matches_the_data_statistics():
    rows = digits_rows(64)
    images = [[v for k, v in r.items() if k != "label"] for r in rows]
    model, processor, _ = build_initial_model(
        MODEL_TYPES["mobilenet_v2"],
        [str(i) for i in range(10)],
        [],
        image_size=16,
        config_overrides={"depth_multiplier": 0.35},
    )
    data = encode("image", images, [r["label"] for r in rows], processor)
    norm = model.mobilenet_v2.conv_stem.first_conv.normalization
    norm.running_mean.fill_(123.0)
    momentum = norm.momentum
    recalibrate_batchnorm(model, data, batch_size=64)
    seen = []
    handle = norm.register_forward_pre_hook(lambda _module, args: seen.append(args[0]))
    with torch.no_grad():
        model(pixel_values=data.pixel_values)
    handle.remove()
    assert not model.training and norm.momentum == momentum
    assert torch.allclose(norm.running_mean, seen[0].mean(dim=(0, 2, 3)), atol=1e-4)


def test_weights_are_safetensors_and_a_pickle_is_rejected(tmp_path):
    state = {"w": torch.randn(2, 2)}
    assert torch.equal(load_weights(save_weights(state))["w"], state["w"])
    with pytest.raises(ValueError, match="not a valid safetensors"):
        load_weights(pickle.dumps(state))


def test_an_unresolvable_base_model_is_an_error_not_a_silent_random_init(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from trainnet.training import model_zoo

    model_zoo.hub_reachable.cache_clear()
    with pytest.raises(ModelSourceError, match="not in the Hugging Face cache"):
        resolve_weights(MODEL_TYPES["distilbert"], "someone/not-cached-model")
    with pytest.raises(ModelSourceError, match="neither a directory"):
        resolve_weights(MODEL_TYPES["distilbert"], "/no/such/dir")


def test_a_local_base_model_directory_is_used(tmp_path, tiny_text):
    model, tokenizer, _, _ = tiny_text
    model.save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    _, _, info = build_initial_model(MODEL_TYPES["distilbert"], ["a", "b", "c"], [], base_model=str(tmp_path))
    assert info.pretrained is True and info.weights_source == str(tmp_path)


def test_a_random_shift_moves_an_image_by_at_most_its_pad_and_keeps_its_shape():
    import torch

    from trainnet.training.shard_trainer import random_shift

    image = torch.zeros(8, 1, 12, 12)
    image[:, :, 6, 6] = 1.0
    moved = random_shift(image, 2, torch.Generator().manual_seed(0))
    assert moved.shape == image.shape
    for one in moved:
        y, x = (one[0] == 1.0).nonzero()[0].tolist()
        assert abs(y - 6) <= 2 and abs(x - 6) <= 2
    assert not torch.equal(moved, image)


def test_a_random_init_mobilenet_keeps_a_spatial_map_at_32_pixels():
    import torch

    from trainnet.training.model_zoo import MODEL_TYPES, build_initial_model

    model, _, _ = build_initial_model(MODEL_TYPES["mobilenet_v2"], ["a", "b"], [], image_size=32)
    assert model.config.output_stride == 16 and model.config.classifier_dropout_prob == 0.1
    with torch.no_grad():
        hidden = model.mobilenet_v2(torch.zeros(1, 3, 32, 32)).last_hidden_state
    assert hidden.shape[-2:] == (2, 2)
