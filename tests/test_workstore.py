"""The shoppers' work store: files only, PNG and JSON read back safely, a cap per shopper, an expiry."""

import hashlib
import io
import json
import os
import pickle
import time

import numpy as np
import pytest
from PIL import Image

from studio.workstore import WorkStore, WorkStoreError, is_shopper_id, new_shopper_id
from tests.conftest import sample

MB = 1024 * 1024


@pytest.fixture
def store(tmp_path) -> WorkStore:
    return WorkStore(tmp_path / "work", cap_bytes=2 * MB, expiry_seconds=3600)


@pytest.fixture
def shopper() -> str:
    return new_shopper_id()


def noise(side: int, seed: int) -> Image.Image:
    """A picture PNG cannot compress: about side*side*3 bytes saved."""
    return Image.fromarray(np.random.default_rng(seed).integers(0, 256, (side, side, 3), np.uint8))


def test_items_come_back_with_their_pictures_and_settings(store, shopper):
    cat = sample("content", "cat")
    store.save(shopper, "design-1", title="design 'waves on cat'", meta={"size": 451, "artworks": ["waves"]},
               images={"image": cat})
    store.save(shopper, "fit", title="fit", meta={"garment": "dress"},
               images={"photo": cat, "mask": Image.new("L", (8, 8), 255)})
    work = store.load(shopper)
    assert work.problems == [] and set(work.items) == {"design-1", "fit"}
    design = work.items["design-1"]
    assert design.meta == {"size": 451, "artworks": ["waves"]} and design.title == "design 'waves on cat'"
    assert np.array_equal(np.asarray(design.images["image"]), np.asarray(cat))
    store.save(shopper, "fit", title="fit", meta={"garment": "top"}, images={"photo": cat})  # replaced, mask gone
    assert store.load(shopper).items["fit"].meta == {"garment": "top"}
    assert not list((store.root / shopper).glob("fit.mask.png"))
    store.delete(shopper, "design-1")
    assert set(store.load(shopper).items) == {"fit"}


def test_the_cap_refuses_a_save_and_leaves_out_what_no_longer_fits(store, shopper):
    store.save(shopper, "design-1", title="first design", images={"image": noise(500, 1)})  # about 0.75 MB
    store.save(shopper, "design-2", title="second design", images={"image": noise(500, 2)})
    with pytest.raises(WorkStoreError, match=r"^Your third design was not saved: your saved work would take 2\.\d MB, "
                                             r"over the 2\.0 MB limit; delete a design under My designs\.$"):
        store.save(shopper, "design-3", title="third design", images={"image": noise(500, 3)})
    store.save(shopper, "design-1", title="first design", images={"image": noise(500, 4)})  # a replacement fits
    smaller = WorkStore(store.root, cap_bytes=1 * MB, expiry_seconds=3600)  # the operator lowered the cap
    work = smaller.load(shopper)
    assert list(work.items) == ["design-1"]  # the newest
    assert len(work.problems) == 1
    assert work.problems[0].startswith("Your saved second design (0.7 MB) is over the 1.0 MB limit")


def test_a_corrupt_item_is_one_sentence_and_the_rest_loads(store, shopper):
    for name in ("good", "torn", "garbled", "jpeg"):
        store.save(shopper, name, title=name, images={"image": sample("content", "logo")})
    folder = store.root / shopper
    (folder / "torn.image.png").write_bytes(b"\x89PNG\r\n\x1a\n cut short")
    (folder / "garbled.json").write_text("{not json")
    jpeg = io.BytesIO()
    sample("content", "logo").save(jpeg, format="JPEG")  # a JPEG whose digest matches: still refused
    (folder / "jpeg.image.png").write_bytes(jpeg.getvalue())
    record = json.loads((folder / "jpeg.json").read_text())
    record["images"]["image"] = hashlib.sha256(jpeg.getvalue()).hexdigest()
    (folder / "jpeg.json").write_text(json.dumps(record))
    work = store.load(shopper)
    assert list(work.items) == ["good"]
    assert sorted(work.problems) == [
        "A saved item (garbled) could not be read (its settings are not valid JSON) and was left out.",
        "A saved item (jpeg) could not be read (its picture image is not a readable image; accepted formats "
        "are PNG) and was left out.",
        "A saved item (torn) could not be read (its picture image does not match its settings) and was left out.",
    ]


class Payload:
    def __reduce__(self):
        return (os.mkdir, ("/tmp/workstore-pickle-ran",))


def test_a_pickle_is_never_run(store, shopper):
    folder = store.root / shopper
    folder.mkdir(parents=True)
    (folder / "evil.json").write_bytes(pickle.dumps(Payload()))
    work = store.load(shopper)
    assert work.items == {} and len(work.problems) == 1
    assert not os.path.exists("/tmp/workstore-pickle-ran")


def test_ids_and_names_never_leave_the_folder(store):
    assert is_shopper_id(new_shopper_id()) and new_shopper_id() != new_shopper_id()
    for bad in ("../../etc", "short", "a/b" * 12, ""):
        assert not is_shopper_id(bad)
        with pytest.raises(WorkStoreError):
            store.load(bad)
    with pytest.raises(WorkStoreError, match="not a saved item's name"):
        store.save(new_shopper_id(), "../escape", title="x")
    assert not (store.root.parent / "escape.json").exists()


def test_unused_work_expires(store, shopper):
    other = new_shopper_id()
    for who in (shopper, other):
        store.save(who, "fit", title="fit", meta={"garment": "dress"})
    old = time.time() - 7200
    os.utime(store.root / shopper, (old, old))
    assert store.load(shopper).items == {} and not (store.root / shopper).exists()
    os.utime(store.root / other, (old, old))
    store.touch(other)  # used again just now: kept
    assert store.purge_expired() == 0 and "fit" in store.load(other).items
    os.utime(store.root / other, (old, old))
    assert store.purge_expired() == 1 and not (store.root / other).exists()


def test_a_picture_larger_than_an_upload_but_inside_the_cap_comes_back(tmp_path, shopper):
    """An upload re-encoded as PNG may pass the 20 MB upload limit; what the cap let in must load again."""
    big = WorkStore(tmp_path / "work", cap_bytes=64 * MB, expiry_seconds=3600)
    noise = Image.fromarray(np.random.default_rng(0).integers(0, 256, (2900, 2900, 3), dtype=np.uint8))
    big.save(shopper, "photo", title="a large photo", images={"photo": noise})
    png = next((big.root / shopper).glob("photo*.png"))
    assert png.stat().st_size > 20 * MB
    saved = big.load(shopper)
    assert not saved.problems and saved.items["photo"].images["photo"].size == (2900, 2900)
