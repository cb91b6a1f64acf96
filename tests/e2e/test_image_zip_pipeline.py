"""An image dataset as people keep it, end to end on a real `trainnet serve`: a zip of class folders of PNG files
→ train a tiny MobileNetV2 → download → load with transformers → predict. The same images listed in a
metadata.csv make the same dataset."""

import io
import zipfile

import pytest
import torch
from PIL import Image
from transformers import AutoImageProcessor, AutoModelForImageClassification

from tests.conftest import TINY_MOBILENET, class_folder_zip, digit_images, metadata_zip, wait_for_task

pytestmark = pytest.mark.slow


def test_a_zip_of_class_folders_trains_mobilenet_that_transformers_loads_and_predicts_with(api, tmp_path):
    images = digit_images(120)
    upload = api.post("/api/datasets", files={"file": ("digits.zip", class_folder_zip(images, root="digits/"))})
    assert upload.status_code == 201, upload.text
    dataset = upload.json()
    assert dataset["kind"] == "image" and dataset["images"]["image_count"] == 120

    listed = api.post("/api/datasets", files={"file": ("listed.zip", metadata_zip(images))})
    assert listed.status_code == 201, listed.text
    same = ("rows", "columns", "kind", "label_counts")
    assert {k: listed.json()[k] for k in same} == {k: dataset[k] for k in same}

    response = api.post(
        "/api/train",
        json={
            "dataset_id": dataset["dataset_id"],
            "model_type": "mobilenet_v2",
            "model_config": TINY_MOBILENET,
            "num_shards": 2,
            "rounds": 1,
            "epochs": 1,
            "warmup_epochs": 1,
        },
    )
    assert response.status_code == 202, response.text
    task = wait_for_task(api, response.json()["task_id"])
    assert task["status"] == "done", task["error"]
    assert task["label_names"] == [str(d) for d in range(10)]
    assert [r["round"] for r in task["rounds"]] == [0] and task["rounds"][0]["metrics"]["accuracy"] >= 0

    archive = api.get(f"/api/tasks/{task['task_id']}/download_model")
    assert archive.status_code == 200
    zipfile.ZipFile(io.BytesIO(archive.content)).extractall(tmp_path)
    model = AutoModelForImageClassification.from_pretrained(tmp_path)
    processor = AutoImageProcessor.from_pretrained(tmp_path)
    assert model.config.id2label == {d: str(d) for d in range(10)}
    pictures = [Image.open(io.BytesIO(png)).convert("RGB") for _, png in images[:4]]
    with torch.no_grad():
        logits = model(**processor(images=pictures, return_tensors="pt")).logits
    assert logits.shape == (4, 10) and torch.isfinite(logits).all()
    assert all(model.config.id2label[i] in dataset["label_counts"] for i in logits.argmax(-1).tolist())
