"""The model directory users download: labels are data, kept verbatim in config.json and escaped in the card."""

import html
import json
import re

from markdown_it import MarkdownIt
from transformers import AutoConfig

from trainnet.training.model_io import markdown_text, model_card, write_model_dir
from trainnet.training.model_zoo import MODEL_TYPES, build_initial_model

HOSTILE_LABELS = [
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "**bold** _em_ `code` \\",
    "line\n# injected heading",
    "| a | b |",
]
METRICS = {
    "accuracy": 0.5,
    "macro_f1": 0.5,
    "loss": 1.0,
    "rounds": [{"round": 0, "accuracy": 0.5, "macro_f1": 0.5, "loss": 1.0, "shards_used": [0]}],
}


def rendered_item(card: str, prefix: str) -> str:
    """The text a reader sees in the card's list item starting with `prefix`, and the rendered HTML of the card
    after its YAML front matter."""
    front, body = card.split("---\n", 2)[1:]
    assert "library_name: transformers" in front
    rendered = MarkdownIt("commonmark").render(body)
    item = next(li for li in re.findall(r"<li>(.*?)</li>", rendered, re.S) if li.startswith(prefix))
    return html.unescape(re.sub(r"<[^>]+>", "", item)), rendered


def test_the_model_card_shows_hostile_labels_as_text_and_config_keeps_them_verbatim(tmp_path):
    model, processor, _ = build_initial_model(
        MODEL_TYPES["mobilenet_v2"], HOSTILE_LABELS, [], image_size=16, config_overrides={"depth_multiplier": 0.35}
    )
    card = model_card(
        "mobilenet_v2",
        {"kind": "image", "pretrained": False},
        METRICS,
        {"num_shards": 1, "rounds": 1, "epochs": 1},
        "evil`name`\n---\n<b>x</b>.csv",
        HOSTILE_LABELS,
    )
    folder = write_model_dir(model, processor, tmp_path / "model", METRICS, card)

    config = json.loads((folder / "config.json").read_text())
    assert [config["id2label"][str(i)] for i in range(len(HOSTILE_LABELS))] == HOSTILE_LABELS
    assert list(AutoConfig.from_pretrained(folder).id2label.values()) == HOSTILE_LABELS

    card = (folder / "README.md").read_text()
    shown, rendered = rendered_item(card, "Labels: ")
    assert shown == "Labels: " + ", ".join(label.replace("\n", " ") for label in HOSTILE_LABELS)
    assert "<img" not in rendered and "<script" not in rendered and "<b>" not in rendered
    assert "href=" not in rendered and "<strong>" not in rendered and "<em>" not in rendered
    assert rendered.count("<h1>") == 1 and rendered.count("<hr") == 0
    assert "Trained on evil`name` --- <b>x</b>.csv with" in html.unescape(re.sub(r"<[^>]+>", "", rendered))


def test_markdown_text_escapes_punctuation_html_and_line_breaks():
    assert markdown_text("=1+1") == "\\=1\\+1"
    assert markdown_text("<a href='x'>&") == "&lt;a href\\=\\'x\\'&gt;&amp;"
    assert markdown_text("a\r\nb\tc") == "a  b c"
    assert markdown_text("café 3") == "café 3"


def test_a_worker_keeps_the_most_recently_used_task_bases_and_deletes_older_ones(tmp_path):
    import time

    from trainnet.dispatch.messages import TaskLayout
    from trainnet.storage import LocalStorage
    from trainnet.training.model_io import fetch_base

    storage, cache = LocalStorage(tmp_path / "storage"), tmp_path / "cache"
    for task in "abcde":
        storage.put_bytes("artifacts", f"{TaskLayout(task).base}/config.json", b"{}")

    def fetch(task):
        time.sleep(0.02)  # distinct modification times even on a coarse clock
        return fetch_base(storage, "artifacts", TaskLayout(task).base, cache, keep=3, in_use_seconds=0)

    for task in "abc":
        fetch(task)
    fetch("a")  # used again: now the most recent
    fetch("d")
    fetch("e")
    kept = sorted(p.parent.name for p in (cache / "tasks").glob("*/base"))
    assert kept == ["a", "d", "e"]
    assert (fetch("a") / "config.json").read_bytes() == b"{}"
