import base64
import io

from PIL import Image

from tests.conftest import digit_images, digits_rows, text_rows
from trainnet.data.parsing import Table
from trainnet.data.thumbnails import SIDE, thumbnails


def decoded(url: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(url.removeprefix("data:image/png;base64,"))))


def test_pixel_columns_give_a_few_thumbnails_per_class_in_order_of_appearance():
    rows = digits_rows(60)
    shown = thumbnails(Table("csv", list(rows[0]), rows), per_class=3)
    assert list(shown) == [str(d) for d in range(10)]
    assert all(len(urls) == 3 for urls in shown.values())
    assert decoded(shown["0"][0]).size == (8, 8)


def test_base64_images_are_shrunk_and_one_that_does_not_decode_is_left_out():
    big = io.BytesIO()
    Image.new("RGB", (300, 150), "red").save(big, format="PNG")
    rows = [
        {"image": base64.b64encode(big.getvalue()).decode(), "label": "red"},
        {"image": "not base64 !", "label": "red"},
        {"image": base64.b64encode(digit_images(1)[0][1]).decode(), "label": "digit"},
    ]
    shown = thumbnails(Table("json", ["image", "label"], rows))
    assert {label: len(urls) for label, urls in shown.items()} == {"red": 1, "digit": 1}
    assert decoded(shown["red"][0]).size == (SIDE, SIDE // 2)


def test_text_data_and_classes_past_the_limit_get_none():
    assert thumbnails(Table("csv", ["text", "label"], text_rows(3))) == {}
    rows = digits_rows(30)
    assert len(thumbnails(Table("csv", list(rows[0]), rows), max_classes=4)) == 4
