"""BlazePose body estimate with the shipped .tflite files: real photos, drawn edge cases, CCP measures."""

from __future__ import annotations

import io
import json
import shutil

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from studio import config
from studio.body import (
    LANDMARK_NAMES,
    TORSO,
    Body,
    BodyEstimator,
    BodyModelError,
    NoPersonError,
    PartialBodyError,
    Region,
    decode_detections,
    draw_skeleton,
    refine_from_heatmap,
    ssd_anchors,
    weighted_nms,
)
from studio.cli import main
from studio.errors import StudioError, UnknownChoiceError
from tests.conftest import SAMPLES, sample

# Issue 13's measure: these landmarks, where seen, must lie on the labelled person grown by 21 px.
KEY_LANDMARKS = ("nose", "left_shoulder", "right_shoulder", "left_hip", "right_hip", "left_ankle", "right_ankle")
GROWTH_PX = 21


@pytest.fixture(scope="module")
def estimator() -> BodyEstimator:
    return BodyEstimator.load()


@pytest.fixture(scope="module")
def astronaut() -> Image.Image:
    return sample("photos", "astronaut")


@pytest.fixture(scope="module")
def astronaut_body(estimator, astronaut) -> Body:
    return estimator.predict(astronaut)


def shoulder_width(body: Body) -> float:
    return float(np.hypot(*np.subtract(body.point("left_shoulder"), body.point("right_shoulder"))))


def test_astronaut_landmarks_sit_where_a_body_has_them(astronaut_body, astronaut):
    body = astronaut_body
    assert body.landmarks.shape == (33, 3) and body.landmarks.dtype == np.float32
    assert body.person_mask.shape == (astronaut.height, astronaut.width) and body.person_mask.dtype == bool
    nose_x, nose_y = body.point("nose")
    (left_x, left_y), (right_x, right_y) = body.point("left_shoulder"), body.point("right_shoulder")
    # Facing the camera, the person's right shoulder is on the photo's left, both below the nose.
    assert right_x < nose_x < left_x
    assert left_y > nose_y and right_y > nose_y
    assert body.point("left_eye")[1] < nose_y < body.point("mouth_left")[1]
    assert body.point("right_eye")[0] < body.point("left_eye")[0]
    assert body.visible("left_shoulder") and body.visible("right_shoulder")
    # The hips are below the photo's bottom edge: not visible, although the network places them.
    assert not body.visible("left_hip") and body.point("left_hip")[1] > left_y
    for name in ("nose", "left_shoulder", "right_shoulder"):
        x, y = body.point(name)
        assert body.person_mask[int(y), int(x)], name
    # The person fills the middle of the photo, not its top corners.
    assert 0.3 < body.person_mask.mean() < 0.8
    assert not body.person_mask[:40, 440:].any()


def test_a_mirrored_photo_gives_mirrored_landmarks_with_sides_swapped(estimator, astronaut, astronaut_body):
    mirrored = estimator.predict(astronaut.transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    tolerance = 0.1 * shoulder_width(astronaut_body)
    for left, right in (("left_shoulder", "right_shoulder"), ("left_eye", "right_eye"), ("left_elbow", "right_elbow")):
        x, y = astronaut_body.point(left)
        mx, my = mirrored.point(right)
        assert abs((astronaut.width - mx) - x) < tolerance and abs(my - y) < tolerance, left


def test_a_large_photo_gives_the_same_body_at_its_scale(estimator, astronaut, astronaut_body):
    large = estimator.predict(astronaut.resize((2048, 2048), Image.Resampling.BICUBIC))
    assert large.person_mask.shape == (2048, 2048)
    tolerance = 0.1 * shoulder_width(astronaut_body)
    for name in ("nose", "left_shoulder", "right_shoulder", "left_elbow"):
        assert np.hypot(*(np.array(large.point(name)) / 4 - astronaut_body.point(name))) < tolerance, name


def test_a_turned_photo_is_read_upright_from_the_detector_rotation(estimator, astronaut, astronaut_body):
    turned = estimator.predict(astronaut.transpose(Image.Transpose.ROTATE_90))  # counter-clockwise
    tolerance = 0.15 * shoulder_width(astronaut_body)
    for name in ("nose", "left_shoulder", "right_shoulder", "left_eye"):
        x, y = astronaut_body.point(name)
        tx, ty = turned.point(name)
        assert abs(tx - y) < tolerance and abs(ty - (astronaut.width - x)) < tolerance, name


def test_a_given_person_mask_picks_the_person(estimator, astronaut):
    canvas = Image.new("RGB", (900, 600), (200, 200, 200))
    canvas.paste(astronaut, (0, 88))
    canvas.paste(astronaut.resize((256, 256)), (620, 300))
    small = np.zeros((600, 900), dtype=bool)
    small[300:556, 620:876] = True
    assert estimator.predict(canvas).point("nose")[0] < 450  # unasked, the larger person
    body = estimator.predict(canvas, person_mask=small)
    nose_x, nose_y = body.point("nose")
    assert small[int(nose_y), int(nose_x)] and body.visible("left_shoulder") and body.visible("right_shoulder")


def test_a_mask_without_a_detected_face_places_the_region_itself(estimator, astronaut, astronaut_body):
    headless = astronaut_body.person_mask.copy()
    headless[:260] = False  # the detector's face box is no longer in the mask
    body = estimator.predict(astronaut, person_mask=headless)
    nose = np.array(body.point("nose"))
    assert np.hypot(*(nose - astronaut_body.point("nose"))) < 0.15 * shoulder_width(astronaut_body)
    assert body.point("right_shoulder")[0] < nose[0] < body.point("left_shoulder")[0]


def test_a_bad_person_mask_is_one_clear_sentence(estimator, astronaut, astronaut_body):
    with pytest.raises(StudioError, match="must match the photo"):
        estimator.predict(astronaut, person_mask=astronaut_body.person_mask[:100])
    with pytest.raises(NoPersonError, match="empty"):
        estimator.predict(astronaut, person_mask=np.zeros_like(astronaut_body.person_mask))


@pytest.mark.parametrize("photo", [Image.new("RGB", (400, 600), "white"), Image.new("RGB", (48, 48)),
                                   "cat"], ids=["blank", "tiny-black", "cat"])
def test_no_person_is_one_clear_sentence(estimator, photo):
    photo = sample("content", "cat") if photo == "cat" else photo
    with pytest.raises(NoPersonError, match="No person was found") as caught:
        estimator.predict(photo)
    assert isinstance(caught.value, StudioError) and str(caught.value).count(".") == 1


def test_only_a_face_is_too_partial_to_fit(estimator, astronaut):
    with pytest.raises(PartialBodyError, match="too little of the person"):
        estimator.predict(astronaut.crop((130, 0, 330, 200)))


def test_body_helpers_name_landmarks_and_what_is_missing(astronaut_body):
    assert len(LANDMARK_NAMES) == 33 and set(TORSO) <= set(LANDMARK_NAMES)
    assert astronaut_body.point("nose") == tuple(float(v) for v in astronaut_body.landmarks[0, :2])
    with pytest.raises(UnknownChoiceError, match="left_shoulder"):
        astronaut_body.point("left_wing")
    astronaut_body.require("nose", "left_shoulder")
    with pytest.raises(PartialBodyError, match="left hip and right knee"):
        astronaut_body.require("nose", "left_hip", "right_knee")
    rows = astronaut_body.to_json()["landmarks"]
    assert len(rows) == 33 and all(len(row) == 3 for row in rows)


def test_skeleton_is_drawn_on_the_body_only(astronaut, astronaut_body):
    picture = np.asarray(draw_skeleton(astronaut, astronaut_body)).astype(int)
    changed = np.abs(picture - np.asarray(astronaut).astype(int)).sum(axis=2) > 0
    assert picture.shape == (astronaut.height, astronaut.width, 3)
    x, y = (int(v) for v in astronaut_body.point("left_shoulder"))
    assert changed[y - 2:y + 3, x - 2:x + 3].all()
    assert 0 < changed.mean() < 0.05


def test_anchor_layout_and_weighted_nms():
    anchors = ssd_anchors()
    assert anchors.shape == (2254, 2) and anchors.min() > 0 and anchors.max() < 1
    assert np.allclose(anchors[:2], [[0.5 / 28, 0.5 / 28]] * 2) and np.allclose(anchors[-1], [6.5 / 7, 6.5 / 7])
    boxes = np.array([[0.1, 0.1, 0.3, 0.3], [0.12, 0.1, 0.32, 0.3], [0.6, 0.6, 0.9, 0.9]])
    keypoints = np.zeros((3, 4, 2))
    found = weighted_nms(np.array([0.9, 0.6, 0.7]), boxes, keypoints)
    assert [round(d.score, 2) for d in found] == [0.9, 0.7]
    assert found[0].box[0] == pytest.approx((0.1 * 0.9 + 0.12 * 0.6) / 1.5)
    # Raw offsets of zero put a box of zero size on its anchor; low logits are dropped.
    raw = np.zeros((2254, 12), dtype=np.float32)
    logits = np.full(2254, -10.0, dtype=np.float32)
    logits[100] = 3.0
    (only,) = decode_detections(raw, logits, anchors)
    assert np.allclose(only.keypoints, anchors[100])


def test_heatmap_refinement_moves_to_a_confident_peak_only():
    heatmaps = np.zeros((64, 64, 2), dtype=np.float32)
    heatmaps[21, 12, 0] = 0.9  # landmark 0: a sure peak at cell (12, 21), two cells from its regression
    heatmaps[30, 30, 1] = 0.3  # landmark 1: nothing sure nearby
    xy = np.array([[10 * 4.0, 20 * 4.0], [30 * 4.0, 30 * 4.0]])
    refined = refine_from_heatmap(xy, heatmaps)
    assert np.allclose(refined[0], [12 * 4, 21 * 4]) and np.allclose(refined[1], xy[1])


def test_region_maps_crop_and_photo_both_ways():
    region = Region(cx=300.0, cy=200.0, side=512.0, angle=0.6)
    forward, backward = region.crop_to_photo(256), region.photo_to_crop(256)
    points = np.array([[0.0, 0.0], [128.0, 128.0], [256.0, 40.0]])
    photo = points @ forward[:, :2].T + forward[:, 2]
    assert np.allclose(photo[1], [300, 200])
    assert np.allclose(photo @ backward[:, :2].T + backward[:, 2], points)
    upright = Region.from_circle(np.array([100.0, 300.0]), np.array([100.0, 100.0]))
    assert upright.angle == pytest.approx(0) and upright.side == pytest.approx(2 * 1.25 * 200)
    lying = Region.from_circle(np.array([100.0, 300.0]), np.array([300.0, 300.0]))  # head to the right
    assert lying.angle == pytest.approx(np.pi / 2)


def test_a_missing_model_names_the_file_and_the_tool(tmp_path):
    shutil.copy(config.body_models_dir() / "pose_detection.tflite", tmp_path)
    with pytest.raises(BodyModelError, match=r"pose_landmark_full\.tflite is missing.*tools\.extract_blazepose"):
        BodyEstimator.load(tmp_path)
    (tmp_path / "pose_landmark_full.tflite").write_bytes(b"not a model")
    with pytest.raises(BodyModelError, match="unreadable"):
        BodyEstimator.load(tmp_path)
    shutil.copy(config.body_models_dir() / "pose_detection.tflite", tmp_path / "pose_landmark_full.tflite")
    with pytest.raises(BodyModelError, match="another network"):
        BodyEstimator.load(tmp_path)


def test_cli_pose_writes_landmarks_mask_and_skeleton(tmp_path):
    blank = tmp_path / "in" / "blank.png"
    blank.parent.mkdir()
    Image.new("RGB", (300, 300), "white").save(blank)
    (tmp_path / "in" / "broken.png").write_bytes(b"not a picture")
    err = io.StringIO()
    code = main(["pose", str(blank.parent), str(SAMPLES / "photos" / "astronaut.png"), "-o", str(tmp_path / "out"),
                 "--overlay"], stderr=err)
    assert code == 2  # the photos after a broken one and a blank one are still done
    (line,) = err.getvalue().strip().splitlines()
    assert "Skipped 2 of 3 photos: " in line and "blank.png: No person was found" in line
    assert "broken.png is not a readable image" in line and str(tmp_path) not in line
    rows = json.loads((tmp_path / "out" / "astronaut.json").read_text())["landmarks"]
    assert np.array(rows).shape == (33, 3)
    mask = Image.open(tmp_path / "out" / "astronaut_person.png")
    assert mask.mode == "L" and mask.size == (512, 512) and set(np.unique(np.asarray(mask))) == {0, 255}
    assert Image.open(tmp_path / "out" / "astronaut_skeleton.png").size == (512, 512)
    assert not (tmp_path / "out" / "blank.json").exists()


@pytest.mark.slow
@pytest.mark.needs_ccp
def test_ccp_landmarks_lie_on_the_person_and_the_mask_matches_it(ccp_root, estimator):
    from tools.ccp import CCPReader, split

    reader = CCPReader(ccp_root)
    inside = seen = 0
    ious = []
    for photo_id in split(ccp_root)[1][:36]:
        photo, labels = reader.load(photo_id)
        person = labels > 0
        grown = ndimage.distance_transform_edt(~person) <= GROWTH_PX
        body = estimator.predict(photo)
        for name in KEY_LANDMARKS:
            if body.visible(name):
                x, y = body.point(name)
                seen += 1
                inside += bool(grown[int(y), int(x)])
        ious.append((body.person_mask & person).sum() / (body.person_mask | person).sum())
    assert seen >= 36 * 5
    assert inside / seen >= 0.95
    assert np.mean(ious) >= 0.85


def test_extract_tool_checks_hashes_of_a_wheel(tmp_path):
    import zipfile

    from tools.extract_blazepose import WHEEL_MEMBERS
    from tools.extract_blazepose import main as extract

    good, bad = tmp_path / "good.whl", tmp_path / "bad.whl"
    with zipfile.ZipFile(good, "w") as wheel, zipfile.ZipFile(bad, "w") as other:
        for name, member in WHEEL_MEMBERS.items():
            wheel.write(config.body_models_dir() / name, member)
            other.writestr(member, b"other bytes")
    assert extract(["--archive", str(good), "--out", str(tmp_path / "ok")]) == 0
    assert BodyEstimator.load(tmp_path / "ok").predict(sample("photos", "astronaut")).visible("nose")
    assert extract(["--archive", str(bad), "--out", str(tmp_path / "no")]) == 2
    assert not (tmp_path / "no").exists()
    assert extract(["--check", "--out", str(tmp_path / "no")]) == 2
    broken = tmp_path / "broken.whl"
    broken.write_bytes(b"not a zip file")
    assert extract(["--archive", str(broken), "--out", str(tmp_path / "no")]) == 2  # one line, no traceback
