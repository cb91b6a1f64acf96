"""What the status page shows as a task's starting weights, from the record its prepare job kept."""

import pytest

from trainnet.training.model_zoo import MODEL_TYPES, local_weights, starting_weights

HUB_CACHE = "/home/u/.cache/huggingface/hub/models--google--mobilenet_v2_1.0_224/snapshots/0123abc"


@pytest.mark.parametrize(
    ("model_type", "info", "base_model", "expected"),
    [
        ("minilm", {}, None, None),
        (
            "distilbert",
            {"pretrained": False, "weights_source": "config (random init)"},
            None,
            ("distilbert", "random init"),
        ),
        (
            "mobilenet_v2",
            {"pretrained": True, "weights_source": HUB_CACHE},
            None,
            ("google/mobilenet_v2_1.0_224", "hub"),
        ),
        ("distilbert", {"pretrained": True, "weights_source": HUB_CACHE}, "org/tuned", ("org/tuned", "hub")),
        (
            "distilbert",
            {"pretrained": True, "weights_source": "/srv/models/my-bert"},
            "/srv/models/my-bert",
            ("my-bert", "local"),
        ),
    ],
)
def test_starting_weights_are_named_as_a_user_knows_them(model_type, info, base_model, expected):
    found = starting_weights(model_type, info, base_model)
    assert found == (None if expected is None else {"name": expected[0], "source": expected[1]})


def test_the_bundled_minilm_is_named_bundled_not_by_its_path():
    folder = local_weights(MODEL_TYPES["minilm"])
    assert folder is not None
    info = {"pretrained": True, "weights_source": str(folder)}
    assert starting_weights("minilm", info, None) == {"name": "all-MiniLM-L6-v2", "source": "bundled"}
