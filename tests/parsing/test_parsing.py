"""Garment parser: contract with the shipped weights, and quality on CCP validation photos."""

import numpy as np
import pytest
from PIL import Image

from studio.parsing import (
    CLASS_NAMES,
    GROUPS,
    GarmentParser,
    Parse,
    ParserWeightsError,
    class_ids,
    confusion_matrix,
    garment_mask,
    scores,
)
from tests.conftest import sample


@pytest.mark.parametrize("size", [(123, 457), (550, 825), (64, 64), (900, 300)])
def test_parse_has_the_photos_own_size_and_valid_classes(garment_parser, size):
    photo = sample("photos", "astronaut").resize(size)
    parse = garment_parser.predict(photo)
    assert parse.labels.shape == (size[1], size[0]) and parse.labels.dtype == np.uint8
    assert parse.labels.max() < len(CLASS_NAMES)
    assert parse.probabilities.shape == (len(CLASS_NAMES), size[1], size[0])
    assert np.allclose(parse.probabilities.sum(0), 1.0, atol=1e-4)
    # Labels are the most likely class, except where the outfit decision settled dress vs top + bottom.
    outfit = np.isin(parse.labels, class_ids("dress") + class_ids("top") + class_ids("bottom"))
    assert np.array_equal(parse.probabilities.argmax(0)[~outfit], parse.labels[~outfit])
    assert np.isin(parse.probabilities.argmax(0)[outfit], class_ids("dress") + class_ids("top") + class_ids("bottom")).all()


def test_a_mirrored_photo_gives_the_mirrored_parse(garment_parser):
    """predict averages the photo with its mirror image, so left and right are treated alike."""
    photo = sample("photos", "astronaut")
    direct = garment_parser.predict(photo).labels
    mirrored = garment_parser.predict(photo.transpose(Image.Transpose.FLIP_LEFT_RIGHT)).labels
    assert (direct == mirrored[:, ::-1]).mean() > 0.995


def test_masks_by_class_and_group(garment_parser):
    parse = garment_parser.predict(sample("photos", "astronaut"))
    for name in CLASS_NAMES:
        assert np.array_equal(parse.mask(name), parse.labels == CLASS_NAMES.index(name))
    clothing = parse.mask("clothing")
    assert np.array_equal(clothing, np.isin(parse.labels, GROUPS["clothing"]))
    assert clothing.dtype == bool


def test_the_astronaut_is_found(garment_parser):
    parse = garment_parser.predict(sample("photos", "astronaut"))
    person = parse.mask("person")
    assert 0.15 < person.mean() < 0.9
    assert parse.mask("skin")[80:170, 190:280].mean() > 0.3  # her face


def _outfit_probabilities(dress_share: float) -> np.ndarray:
    """10x20x10 probabilities: rows 0-9 a garment area whose dress/top/bottom mass splits
    ``dress_share`` : rest (top above, bottom below), rows 10-19 skin."""
    probs = np.full((len(CLASS_NAMES), 20, 10), 0.01, np.float32)
    probs[CLASS_NAMES.index("skin"), 10:] = 0.91
    rest = (1 - dress_share) * 0.91
    probs[CLASS_NAMES.index("dress"), :10] = dress_share * 0.91
    probs[CLASS_NAMES.index("top"), :5] = rest * 0.8
    probs[CLASS_NAMES.index("bottom"), :5] = rest * 0.2
    probs[CLASS_NAMES.index("top"), 5:10] = rest * 0.2
    probs[CLASS_NAMES.index("bottom"), 5:10] = rest * 0.8
    return probs


def test_a_clear_dress_takes_over_stray_top_and_skirt_patches():
    from studio.parsing import settle_outfit

    probs = _outfit_probabilities(0.8)
    labels = probs.argmax(0).astype(np.uint8)
    labels[2:4, 2:4] = CLASS_NAMES.index("top")  # a stray patch the pixel-wise answer left
    labels[7:9, 2:4] = CLASS_NAMES.index("bottom")
    settled = settle_outfit(labels, probs)
    assert (settled[:10] == CLASS_NAMES.index("dress")).all()
    assert (settled[10:] == CLASS_NAMES.index("skin")).all()


def test_clear_separates_lose_stray_dress_patches_to_the_likelier_garment():
    from studio.parsing import settle_outfit

    probs = _outfit_probabilities(0.2)
    labels = probs.argmax(0).astype(np.uint8)
    labels[1:3, :] = CLASS_NAMES.index("dress")
    labels[7:9, :] = CLASS_NAMES.index("dress")
    settled = settle_outfit(labels, probs)
    assert (settled[:5] == CLASS_NAMES.index("top")).all()
    assert (settled[5:10] == CLASS_NAMES.index("bottom")).all()


def test_an_unclear_outfit_keeps_the_pixelwise_answer():
    from studio.parsing import settle_outfit

    probs = _outfit_probabilities(0.5)
    labels = probs.argmax(0).astype(np.uint8)
    labels[1:3, :] = CLASS_NAMES.index("top")
    assert np.array_equal(settle_outfit(labels, probs), labels)
    no_garment = np.zeros((5, 5), np.uint8)
    assert np.array_equal(settle_outfit(no_garment, np.ones((len(CLASS_NAMES), 5, 5), np.float32) / 10), no_garment)


def test_main_garment_is_the_largest_one():
    from studio.parsing import Parse, main_garment

    labels = np.zeros((10, 10), np.uint8)
    assert main_garment(Parse(labels=labels)) == "clothing"
    labels[:3] = CLASS_NAMES.index("top")
    labels[3:8] = CLASS_NAMES.index("bottom")
    assert main_garment(Parse(labels=labels)) == "bottom"
    labels[9] = CLASS_NAMES.index("dress")  # a stray dress row on separates: still separates
    assert main_garment(Parse(labels=labels)) == "bottom"


def test_an_outfit_left_part_dress_part_separates_defaults_to_all_clothing():
    from studio.parsing import Parse, main_garment

    labels = np.zeros((10, 10), np.uint8)
    labels[:4] = CLASS_NAMES.index("dress")
    labels[4:8] = CLASS_NAMES.index("bottom")
    assert main_garment(Parse(labels=labels)) == "clothing"
    labels[4:5] = CLASS_NAMES.index("dress")
    labels[5:8] = CLASS_NAMES.index("dress")
    labels[8] = CLASS_NAMES.index("top")
    assert main_garment(Parse(labels=labels)) == "dress"


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(KeyError, match="dress, top, outerwear, bottom.*clothing"):
        class_ids("gown")


def test_photo_without_a_person_still_gives_a_valid_map(garment_parser):
    parse = garment_parser.predict(sample("artworks", "bauhaus"))
    assert parse.labels.shape == (512, 512)
    assert parse.mask("background").mean() > 0.5


def test_overlay_and_present_classes(garment_parser):
    photo = sample("photos", "astronaut")
    parse = garment_parser.predict(photo)
    overlay = parse.overlay(photo)
    assert overlay.size == photo.size
    background = parse.mask("background")
    assert np.array_equal(np.asarray(overlay)[background], np.asarray(photo)[background])
    assert "skin" in parse.present_classes()


def test_missing_weights_name_the_file_and_the_training_command(tmp_path):
    with pytest.raises(ParserWeightsError, match=r"nope\.safetensors.*python -m tools\.train_parser"):
        GarmentParser.load(tmp_path / "nope.safetensors")


def test_corrupt_weights_are_one_sentence(tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x00" * 100)
    with pytest.raises(ParserWeightsError, match="corrupt"):
        GarmentParser.load(bad)


def test_scores_match_hand_computation():
    truth = np.array([[0, 0, 3, 3], [1, 1, 3, 4]])
    predicted = np.array([[0, 1, 3, 3], [1, 1, 4, 4]])
    result = scores(confusion_matrix(predicted, truth))
    # background: TP 1, FP 0, FN 1 -> 1/2; skin: TP 2, FP 1 -> 2/3; dress: TP 2, FN 1 -> 2/3; top: TP 1, FP 1 -> 1/2
    assert result.per_class_iou == pytest.approx({"background": 0.5, "skin": 2 / 3, "dress": 2 / 3, "top": 0.5})
    assert result.mean_iou == pytest.approx((0.5 + 2 / 3 + 2 / 3 + 0.5) / 4)
    assert result.pixel_accuracy == pytest.approx(6 / 8)
    assert result.clothing_iou == pytest.approx(1.0)  # dress+top region is the same set in both


@pytest.mark.needs_ccp
def test_every_ccp_label_has_a_class(ccp_root):
    from tools.ccp import label_names

    names = label_names(ccp_root)
    from tools.ccp import ccp_lookup_table

    table = ccp_lookup_table(names)
    assert len(names) == 59
    assert table[0] == 0 and all(table[i] > 0 for i in range(1, 59))
    assert table[names.index("dress")] == CLASS_NAMES.index("dress")
    assert table[names.index("jeans")] == CLASS_NAMES.index("bottom")


@pytest.mark.needs_ccp
def test_split_is_fixed_and_leaves_out_unannotated_photos(ccp_root):
    from tools.ccp import CCPReader, photo_ids, split, unlabelled_ids

    train, validation = split(ccp_root)
    every_tenth = photo_ids(ccp_root)[::10]
    unlabelled = unlabelled_ids(ccp_root)
    assert validation == [i for i in every_tenth if i not in unlabelled]
    assert not set(train) & set(validation) and not (set(train) | set(validation)) & unlabelled
    assert len(train) + len(validation) + len(unlabelled) == len(photo_ids(ccp_root))
    reader = CCPReader(ccp_root)
    for photo_id in sorted(unlabelled):
        assert not reader.load(photo_id)[1].any()


@pytest.mark.slow
@pytest.mark.needs_ccp
def test_shipped_model_quality_on_validation_photos(garment_parser, ccp_root):
    from tools.ccp import CCPReader, split

    reader = CCPReader(ccp_root)
    _, validation = split(ccp_root)
    confusion = 0
    for photo_id in validation[:20]:
        image, labels = reader.load(photo_id)
        confusion = confusion + confusion_matrix(garment_parser.predict(image).labels, labels)
    result = scores(confusion)
    print(f"20 validation photos: mIoU {result.mean_iou:.3f}, clothing IoU {result.clothing_iou:.3f}")
    assert result.mean_iou >= 0.5
    assert result.clothing_iou >= 0.8


def test_a_sleeve_beyond_a_strap_stays_in_the_garment_but_a_speck_goes():
    """A coat (labelled outerwear) with a bag's strap across it that cuts off its sleeve (a twentieth of it):
    the strap joins the sleeve to the coat, so the garment mask keeps it; a speck of outerwear on the wall,
    touching nothing, is still dropped."""
    labels = np.zeros((200, 200), np.uint8)
    labels[20:180, 40:140] = CLASS_NAMES.index("outerwear")
    labels[20:180, 140:144] = CLASS_NAMES.index("accessories")  # the strap
    labels[40:120, 144:154] = CLASS_NAMES.index("outerwear")  # the sleeve beyond it
    labels[5:10, 180:190] = CLASS_NAMES.index("outerwear")  # a speck
    mask = garment_mask(Parse(labels=labels), ["outerwear"])
    assert mask[40:120, 144:154].all() and mask[20:180, 40:140].all()
    assert not mask[5:10, 180:190].any() and not mask[20:180, 140:144].any()
