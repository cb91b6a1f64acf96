"""Pipeline A end to end on the scale-out stack: the same tests as tests/e2e/test_pipeline_a.py, against
`trainnet serve --no-workers` with two standalone `trainnet worker` processes on Redis + PostgreSQL + S3."""

import pytest

from tests.e2e.test_pipeline_a import (  # noqa: F401  (collected here against the stack)
    test_cli_fails_clearly_on_a_bad_file,
    test_distilbert_from_scratch_trains_and_loads_with_transformers,
    test_mobilenet_on_pixel_columns_loads_with_its_image_processor,
    test_pretrained_minilm_learns_the_reviews,
    test_workers_are_listed_with_their_queues,
)

pytestmark = pytest.mark.services


@pytest.fixture
def live_server(healthy_stack) -> str:
    """The e2e tests' server, replaced by the stack's API."""
    return healthy_stack.url
