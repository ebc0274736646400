"""Parser v3 pieces: the tag-only photos, the photo-level head, the outfit decision it drives, and a
short real training run (tags, pseudo-labels, resume) on a few CCP photos copied to a temporary folder."""

import shutil

import numpy as np
import pytest
from PIL import Image

from studio.parsing import CLASS_NAMES, GarmentParser, ParserConfig, build_network, decide_outfit
from tests.conftest import sample

DRESS, TOP, BOTTOM, SKIN = (CLASS_NAMES.index(n) for n in ("dress", "top", "bottom", "skin"))


def _split_outfit() -> tuple[np.ndarray, np.ndarray]:
    """A 20x10 garment area labelled top over dress over bottom, and flat probabilities."""
    labels = np.full((20, 10), TOP, np.uint8)
    labels[7:14] = DRESS
    labels[14:] = BOTTOM
    probs = np.full((len(CLASS_NAMES), 20, 10), 0.05, np.float32)
    for cls in (DRESS, TOP, BOTTOM):
        probs[cls][labels == cls] = 0.6
    return labels, probs


def test_a_photo_head_saying_dress_makes_the_whole_outfit_a_dress():
    labels, probs = _split_outfit()
    decision = decide_outfit(labels, probs, {"dress": 0.9, "top": 0.1})
    assert decision.outfit == "dress" and decision.confidence == pytest.approx(1.0)
    assert (decision.labels == DRESS).all()


def test_a_top_the_head_sees_stays_over_the_dress():
    labels, probs = _split_outfit()
    decision = decide_outfit(labels, probs, {"dress": 0.8, "top": 0.7})
    assert (decision.labels[:7] == TOP).all() and (decision.labels[7:] == DRESS).all()


def test_a_photo_head_saying_separates_removes_every_dress_pixel():
    labels, probs = _split_outfit()
    decision = decide_outfit(labels, probs, {"dress": 0.2, "top": 0.9})
    assert decision.outfit == "separates" and not (decision.labels == DRESS).any()
    assert (decision.labels[:7] == TOP).all() and (decision.labels[14:] == BOTTOM).all()


def test_a_head_near_its_threshold_is_unsure():
    labels, probs = _split_outfit()
    near = decide_outfit(labels, probs, {"dress": 0.55})
    far = decide_outfit(labels, probs, {"dress": 0.95})
    assert near.confidence < 0.5 < far.confidence


def test_the_weights_dress_threshold_decides():
    """A head trained where one photo in four is a dress says 0.35 for a likely dress: with the
    training prior as threshold that is a dress, with the default 0.5 it is not."""
    labels, probs = _split_outfit()
    assert decide_outfit(labels, probs, {"dress": 0.35}, dress_threshold=0.27).outfit == "dress"
    assert decide_outfit(labels, probs, {"dress": 0.35}).outfit == "separates"


def test_averaged_weights_are_the_mean_and_carry_the_threshold(tmp_path):
    import torch
    from safetensors.torch import load_file

    from studio.parsing import save_weights
    from tools.average_parser import main

    cfg = ParserConfig(encoder="timm-tf_efficientnet_lite0", input_height=64, input_width=64, normalization="tf",
                       photo_classes=("dress", "top"))
    paths = []
    for seed in (0, 1):
        torch.manual_seed(seed)
        paths.append(tmp_path / f"{seed}.safetensors")
        save_weights(build_network(cfg), cfg, paths[-1], {})
    main([str(tmp_path / "mean.safetensors"), *map(str, paths), "--dress-threshold", "0.3"])
    first, second, mean = (load_file(str(p)) for p in (*paths, tmp_path / "mean.safetensors"))
    key = next(k for k in mean if k.endswith("weight") and mean[k].dim() == 4)
    assert torch.allclose(mean[key].float(), (first[key].float() + second[key].float()) / 2, atol=1e-3)
    assert GarmentParser.load(tmp_path / "mean.safetensors").config.dress_threshold == 0.3


def test_a_network_with_a_photo_head_answers_presence_per_class():
    cfg = ParserConfig(encoder="timm-tf_efficientnet_lite0", input_height=64, input_width=64, normalization="tf",
                       photo_classes=("dress", "top"))
    parse = GarmentParser(build_network(cfg), cfg).predict(sample("photos", "astronaut").resize((60, 90)))
    assert set(parse.photo_presence) == {"dress", "top"}
    assert all(0.0 <= p <= 1.0 for p in parse.photo_presence.values())
    assert parse.outfit in ("dress", "separates")


@pytest.mark.needs_ccp
def test_tagged_split_is_fixed_and_tags_use_the_class_table(ccp_root):
    from tools.ccp import tagged_split, tagged_tags

    tags = tagged_tags(ccp_root)
    if not tags:
        pytest.skip(f"{ccp_root}/tagged is not there")
    train, val = tagged_split(ccp_root)
    assert not set(train) & set(val) and len(train) + len(val) == len(tags)
    assert val == sorted(tags)[::5]
    assert set().union(*tags.values()) <= set(CLASS_NAMES)
    assert 100 < sum("dress" in t for t in tags.values()) < 300  # "147 of the photos have a dress"


@pytest.mark.slow
@pytest.mark.needs_ccp
def test_training_learns_from_tags_and_resumes(ccp_root, tmp_path):
    """Two tiny epochs on 8 labelled + 4 tagged photos: pseudo-labels exist and respect the tags, a third
    epoch resumes from the checkpoint, and the exported weights load with their photo head."""
    from tools.ccp import photo_ids, tagged_tags
    from tools.train_parser import IGNORE, main

    tags = tagged_tags(ccp_root)
    if not tags:
        pytest.skip(f"{ccp_root}/tagged is not there")
    fake = tmp_path / "ccp"
    for sub in ("images", "labels", "tagged/images"):
        (fake / sub).mkdir(parents=True)
    shutil.copy(ccp_root / "labels.txt", fake / "labels.txt")
    for photo_id in photo_ids(ccp_root)[:8]:
        shutil.copy(ccp_root / "images" / f"{photo_id}.jpg", fake / "images")
        shutil.copy(ccp_root / "labels" / f"{photo_id}.png", fake / "labels")
    chosen = sorted(tags)[:5]
    rows = [line for line in (ccp_root / "tagged" / "tags.csv").read_text().splitlines()
            if line.split(",")[0] in chosen]
    (fake / "tagged" / "tags.csv").write_text("id,tags\n" + "\n".join(rows) + "\n")
    for photo_id in chosen:
        shutil.copy(ccp_root / "tagged" / "images" / f"{photo_id}.jpg", fake / "tagged" / "images")
    run = tmp_path / "run"
    common = ["--ccp", str(fake), "--encoder", "lite0", "--batch", "2", "--height", "96", "--width", "64",
              "--crop", "64x48", "--run-dir", str(run), "--out", str(run / "best.safetensors"), "--bf16",
              "--channels-last", "--threads", "1"]
    main(common + ["--epochs", "2"])
    pseudo = sorted((run / "pseudo").glob("*.png"))
    assert len(pseudo) == 4  # the first of the five is validation
    for path in pseudo:
        labels = np.asarray(Image.open(path))
        allowed = {CLASS_NAMES.index(n) for n in tags[path.stem] | {"background", "skin", "hair"}} | {IGNORE}
        assert set(np.unique(labels)) <= allowed
    main(common + ["--epochs", "3"])
    log = (run / "train.log").read_text()
    assert "resumed at epoch 2 step 0" in log and log.count("outfit_balanced_accuracy") == 3
    parser = GarmentParser.load(run / "best.safetensors")
    assert parser.config.photo_classes[0] == "dress"
    from tools.train_parser import dress_share, training_tags
    assert parser.config.dress_threshold == pytest.approx(dress_share(training_tags(fake)))
    assert "dress" in parser.predict(sample("photos", "astronaut")).photo_presence


def test_the_shoppers_word_settles_the_outfit_and_the_garment_follows():
    from studio.parsing import Parse, main_garment

    labels, probs = _split_outfit()
    unsure = Parse(labels=labels, probabilities=probs, outfit="unsure", outfit_confidence=0.1)
    assert unsure.outfit_unsure and main_garment(unsure) == "clothing"  # part dress, part top and bottom
    dress = unsure.with_outfit("dress")
    assert not dress.outfit_unsure and (dress.labels == DRESS).all() and main_garment(dress) == "dress"
    separates = unsure.with_outfit("separates")
    assert not (separates.labels == DRESS).any() and main_garment(separates) == "separates"
    assert separates.mask("separates").all()
    with pytest.raises(KeyError, match="choose one of: dress, separates"):
        unsure.with_outfit("jumpsuit")


def test_a_sure_decision_preselects_its_outfit():
    from studio.parsing import Parse, main_garment

    labels, probs = _split_outfit()
    sure = Parse(labels=labels, probabilities=probs, outfit="separates", outfit_confidence=0.9)
    assert main_garment(sure) == "separates"
    wavering = Parse(labels=labels, probabilities=probs, outfit="separates", outfit_confidence=0.2)
    assert wavering.outfit_unsure and main_garment(wavering) == "clothing"


def test_the_shoppers_dress_keeps_a_top_the_head_sees_over_it():
    from studio.parsing import Parse

    labels, probs = _split_outfit()
    unsure = Parse(labels=labels, probabilities=probs, photo_presence={"dress": 0.5, "top": 0.8})
    dress = unsure.with_outfit("dress")
    assert (dress.labels[:7] == TOP).all() and (dress.labels[7:] == DRESS).all()
