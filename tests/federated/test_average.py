import pytest
import torch

from trainnet.federated.average import average_weights


def test_weighted_average_of_floats():
    a, b = {"w": torch.tensor([0.0, 2.0])}, {"w": torch.tensor([4.0, 6.0])}
    assert torch.allclose(average_weights([a, b], [3, 1])["w"], torch.tensor([1.0, 3.0]))


def test_average_keeps_dtypes_and_rounds_integer_buffers():
    a = {"w": torch.ones(2, dtype=torch.float16), "num_batches_tracked": torch.tensor(10)}
    b = {"w": torch.zeros(2, dtype=torch.float16), "num_batches_tracked": torch.tensor(21)}
    out = average_weights([a, b], [1, 1])
    assert out["w"].dtype == torch.float16 and torch.allclose(out["w"].float(), torch.full((2,), 0.5))
    assert out["num_batches_tracked"].dtype == torch.int64 and int(out["num_batches_tracked"]) == 16


def test_boolean_buffers_take_the_weighted_majority():
    out = average_weights([{"m": torch.tensor([True, False])}, {"m": torch.tensor([False, False])}], [3, 1])
    assert out["m"].tolist() == [True, False]


def test_averaging_one_state_dict_returns_it():
    sd = {"w": torch.randn(3, 3)}
    assert torch.equal(average_weights([sd], [5])["w"], sd["w"])


def test_average_of_batchnorm_model_state_dicts_loads_back():
    models = [torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4)) for _ in range(3)]
    for m in models:
        m.train()
        m(torch.randn(8, 3))
    out = average_weights([m.state_dict() for m in models], [10, 20, 30])
    fresh = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    fresh.load_state_dict(out)
    expected = sum(m.state_dict()["1.running_mean"] * w for m, w in zip(models, [10, 20, 30])) / 60
    assert torch.allclose(fresh.state_dict()["1.running_mean"], expected, atol=1e-6)


@pytest.mark.parametrize(
    ("dicts", "weights", "message"),
    [
        ([], [], "at least one"),
        ([{"w": torch.ones(1)}], [1, 2], "1 state dicts but 2 weights"),
        ([{"w": torch.ones(1)}, {"v": torch.ones(1)}], [1, 1], "different keys"),
        ([{"w": torch.ones(1)}, {"w": torch.ones(2)}], [1, 1], "shapes/dtypes differ"),
        ([{"w": torch.ones(1)}], [0], "positive sum"),
    ],
)
def test_mismatched_inputs_are_refused(dicts, weights, message):
    with pytest.raises(ValueError, match=message):
        average_weights(dicts, weights)
