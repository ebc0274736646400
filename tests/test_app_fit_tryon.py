"""Fit and Try-on pages driven by AppTest with the real parser."""

import sys
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image, ImageOps
from streamlit.testing.v1 import AppTest

from studio import config
from studio.composite import dress_up
from studio.parsing import GarmentParser
from studio.study import study_items
from tests.conftest import png_bytes, sample
from ui import handoff

APP = str(config.PROJECT_ROOT / "streamlit_app.py")


@pytest.fixture
def parses(monkeypatch) -> list[tuple[int, int]]:
    """The size of every photo the real parser is asked to parse, in order."""
    seen = []
    predict = GarmentParser.predict

    def counted(self, image):
        seen.append(image.size)
        return predict(self, image)

    monkeypatch.setattr(GarmentParser, "predict", counted)
    return seen


@pytest.fixture
def fitted(tmp_path, monkeypatch, parses) -> AppTest:
    monkeypatch.setenv("STUDIO_STUDY_ITEMS", str(tmp_path / "items"))
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page("app_pages/fit.py").run()
    assert not at.exception and not at.error
    return at


def shopper_photo() -> bytes:
    """A photo that is not the sample: the astronaut mirrored."""
    return png_bytes(ImageOps.mirror(sample("photos", "astronaut")))


def test_fit_parses_once_and_keeps_the_mask(fitted, parses):
    assert [s.value for s in fitted.success] == ["Saved for the Try-on page."]
    assert "Photo in use: **sample: astronaut**" in fitted.markdown[0].value
    before = fitted.session_state[handoff.FIT_KEY]
    assert before.mask.dtype == bool and before.mask.shape == before.parse.labels.shape
    assert before.parse.probabilities is not None
    fitted.slider(key="fit_grow").set_value(10).run()
    fitted.selectbox(key="fit_garment").set_value("dress").run()
    after = fitted.session_state[handoff.FIT_KEY]
    assert after.mask.sum() != before.mask.sum() and after.garment == "dress"
    assert after.parse is before.parse
    assert parses == [(512, 512)]  # the sliders did not parse the photo again


class FakeCanvas:
    """Stands in for streamlit-drawable-canvas (its browser part cannot run under AppTest): records
    the drawing each call starts from and answers with the strokes in ``live`` (None: not drawn yet)."""

    def __init__(self):
        self.live: np.ndarray | None = None
        self.started_with: list = []

    def st_canvas(self, *, initial_drawing=None, width, height, key, **_):
        import streamlit as st

        st.checkbox("canvas stand-in", key=key, label_visibility="collapsed")  # a widget's state lifetime
        self.started_with.append(initial_drawing)
        image = None
        if self.live is not None:
            image = np.zeros((height, width, 4), np.uint8)
            image[self.live] = (0, 200, 83, 255)  # the "add" brush colour
        return SimpleNamespace(image_data=image, json_data={"objects": [f"{int(self.live.sum())} px"]}
                               if self.live is not None else None)


def test_fit_restores_brush_corrections_when_revisited(tmp_path, monkeypatch):
    """Strokes drawn on a photo count in the chosen area, and after a visit elsewhere the canvas
    starts from them (drawn again) and they count before the canvas has sent anything; strokes the
    canvas sends later win."""
    canvas = FakeCanvas()
    monkeypatch.setitem(sys.modules, "streamlit_drawable_canvas", SimpleNamespace(st_canvas=canvas.st_canvas))
    monkeypatch.setenv("STUDIO_STUDY_ITEMS", str(tmp_path / "items"))
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page("app_pages/fit.py").run()
    plain = at.session_state[handoff.FIT_KEY].mask
    assert canvas.started_with == [None]

    canvas.live = np.zeros((512, 512), bool)
    canvas.live[:40, :40] = True  # a corner of the background
    at.run()
    brushed = at.session_state[handoff.FIT_KEY].mask
    assert brushed[:40, :40].all() and (brushed == (plain | canvas.live)).all()
    at.run()
    assert canvas.started_with == [None, None, None]  # the same starting drawing while on the page

    canvas.live = None  # a fresh canvas on the revisit has sent nothing yet
    at.switch_page("app_pages/tryon.py").run()
    at.switch_page("app_pages/fit.py").run()
    assert not at.exception
    assert canvas.started_with[-1] == {"objects": ["1600 px"]}  # the kept strokes are drawn again
    assert (at.session_state[handoff.FIT_KEY].mask == brushed).all()

    canvas.live = np.zeros((512, 512), bool)  # the shopper clears the canvas
    at.run()
    assert (at.session_state[handoff.FIT_KEY].mask == plain).all()


def test_fit_keeps_the_garment_on_the_person_and_draws_the_skeleton(fitted):
    from scipy import ndimage

    from studio.parsing import PERSON_MARGIN

    fit = fitted.session_state[handoff.FIT_KEY]
    assert fit.body is not None and fit.body.landmarks.shape == (33, 3)
    assert fit.body.person_mask.shape == fit.mask.shape
    beyond = ndimage.distance_transform_edt(~fit.body.person_mask) > PERSON_MARGIN * max(fit.mask.shape)
    fitted.slider(key="fit_grow").set_value(15).run()  # grow the edge well past the body
    assert not (fitted.session_state[handoff.FIT_KEY].mask & beyond).any()
    fitted.checkbox(key="fit_inside").uncheck().run()
    assert (fitted.session_state[handoff.FIT_KEY].mask & beyond).sum() > 100
    fitted.toggle(key="fit_skeleton").set_value(True).run()
    assert not fitted.exception and not fitted.error
    assert fitted.session_state[handoff.FIT_KEY].body is fit.body  # found once per photo


def test_fit_refuses_a_bad_upload(fitted):
    fitted.radio(key="fit_photo_source").set_value("Upload").run()
    fitted.file_uploader(key="fit_photo_upload").set_value(("me.jpg", b"\xff\xd8\xff garbage", "image/jpeg")).run()
    assert not fitted.exception
    assert "me.jpg" in fitted.error[0].value


def test_an_uploaded_photo_survives_leaving_fit(fitted, parses):
    fitted.radio(key="fit_photo_source").set_value("Upload").run()
    fitted.file_uploader(key="fit_photo_upload").set_value(("me.png", shopper_photo(), "image/png")).run()
    assert "Photo in use: **me.png**" in fitted.markdown[0].value
    fitted.slider(key="fit_grow").set_value(4).run()
    mine = fitted.session_state[handoff.FIT_KEY]

    fitted.switch_page("app_pages/tryon.py").run()
    assert "me.png" in fitted.caption[0].value
    fitted.switch_page("app_pages/fit.py").run()
    assert not fitted.exception and not fitted.error
    assert "Still using **me.png** from before" in fitted.caption[-1].value  # Streamlit emptied the uploader
    assert "Photo in use: **me.png**" in fitted.markdown[0].value  # not silently back to the sample
    assert fitted.radio(key="fit_photo_source").value == "Upload"
    assert fitted.slider(key="fit_grow").value == 4
    back = fitted.session_state[handoff.FIT_KEY]
    assert back.photo_name == "me.png" and back.digest == mine.digest and np.array_equal(back.mask, mine.mask)
    assert parses == [(512, 512), (512, 512)]  # the sample once, the upload once; the visit parsed nothing


def test_a_bad_upload_keeps_the_photo_already_in_use(fitted, parses):
    fitted.radio(key="fit_photo_source").set_value("Upload").run()
    fitted.file_uploader(key="fit_photo_upload").set_value(("me.png", shopper_photo(), "image/png")).run()
    mine = fitted.session_state[handoff.FIT_KEY]
    fitted.file_uploader(key="fit_photo_upload").set_value(("notes.png", b"not an image", "image/png")).run()
    assert [e.value for e in fitted.error] == [
        "notes.png is not a readable image; accepted formats are PNG, JPEG, WEBP, GIF, BMP, TIFF."]
    assert "Photo in use: **me.png**" in fitted.markdown[0].value
    assert any("Still using **me.png** from before" in c.value for c in fitted.caption)
    assert fitted.session_state[handoff.FIT_KEY].digest == mine.digest  # Try on keeps its photo too
    assert len(parses) == 2  # the sample and me.png; nothing parsed again


def test_tryon_with_an_uploaded_fabric_adds_exactly_what_is_shown(fitted, tmp_path):
    fitted.switch_page("app_pages/tryon.py").run()
    fitted.radio(key="tryon_fabric_choice").set_value("Upload a fabric").run()
    fitted.radio(key="tryon_fabric_source").set_value("Upload").run()
    mosaic = png_bytes(sample("artworks", "mosaic"))
    fitted.file_uploader(key="tryon_fabric_upload").set_value(("fabric.png", mosaic, "image/png")).run()
    assert not fitted.exception and not fitted.error
    assert "Your design" in [s.value for s in fitted.subheader]
    fitted.button(key="study_Your design").click().run()
    assert any(s.value.startswith("Added to the study as item-") for s in fitted.success)
    items = study_items(tmp_path / "items")
    assert len(items) == 1
    assert items[0].settings["mode"] == "design" and items[0].settings["fabric"] == "fabric.png"
    assert items[0].settings["photo"] == "sample: astronaut"
    fit = fitted.session_state[handoff.FIT_KEY]
    shown = dress_up(fit.photo, fit.parse, sample("artworks", "mosaic"), fit.garment, body=fit.body, mask=fit.mask,
                     fold_warp=2.0)  # the page's defaults
    assert np.array_equal(np.asarray(Image.open(items[0].path).convert("RGB")), np.asarray(shown))


def test_garment_tryon_keeps_its_own_before_photo(fitted, tmp_path):
    fitted.switch_page("app_pages/tryon.py").run()
    [try_it] = [b for b in fitted.button if b.label == "Try it on"]
    try_it.click().run()  # the sample sundress
    assert not fitted.exception and not fitted.error
    tried = fitted.session_state[handoff.TRYON_KEY]
    astronaut = fitted.session_state[handoff.FIT_KEY].photo
    assert tried.before is astronaut and tried.after.size == astronaut.size
    assert "Garment try-on" in [s.value for s in fitted.subheader]

    fitted.switch_page("app_pages/fit.py").run()  # the shopper changes the photo
    fitted.radio(key="fit_photo_source").set_value("Upload").run()
    fitted.file_uploader(key="fit_photo_upload").set_value(("me.png", shopper_photo(), "image/png")).run()
    fitted.switch_page("app_pages/tryon.py").run()
    assert fitted.session_state[handoff.TRYON_KEY].before is astronaut  # Before still made the After
    fitted.button(key="study_Garment try-on").click().run()
    [item] = study_items(tmp_path / "items")
    assert np.array_equal(np.asarray(Image.open(item.path).convert("RGB")), np.asarray(tried.after))
    assert item.settings["photo"] == "sample: astronaut" and item.settings["mode"] == "garment"
    assert item.settings["engine"] == "pose"  # the default engine, fitted to the body Fit found


def test_tryon_without_fit_points_to_the_fit_page():
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("app_pages/tryon.py").run()
    assert not at.exception
    assert "Fit" in at.info[0].value


def test_tryon_falls_back_to_the_design_when_no_fabric_was_rendered(fitted):
    fitted.session_state[handoff.DESIGN_KEY] = handoff.Design(
        sample("artworks", "waves"), "sample: cat", ("waves",), None, 1.0, False, 384, "test", "explore")
    fitted.switch_page("app_pages/tryon.py").run()
    assert not fitted.exception and not fitted.error
    assert "Your design" in [s.value for s in fitted.subheader]
    assert "No fabric repeat yet" in " ".join(c.value for c in fitted.caption)


def test_tryon_names_the_garment_as_the_fit_page_does(fitted):
    """Fit offers "all clothing"; Try on says it is designing on "all clothing", not the internal "clothing"."""
    assert fitted.selectbox(key="fit_garment").value == "clothing"
    fitted.switch_page("app_pages/tryon.py").run()
    assert not fitted.exception
    assert "designing on: **all clothing**" in fitted.caption[0].value


def test_brush_strokes_add_and_remove():
    from ui.common import brush_strokes

    canvas = np.full((50, 100, 4), (90, 140, 60, 255), np.uint8)  # an opaque greenish background photo
    canvas[10:20, 10:30] = (0, 200, 83, 255)  # green stroke: add
    canvas[30:40, 60:90] = (255, 23, 68, 255)  # red stroke: remove
    add, remove = brush_strokes(canvas, (200, 100))
    assert add.shape == (100, 200)
    assert add[30, 40] and not add[70, 150] and remove[70, 150] and not remove[30, 40]
    assert add.sum() == 40 * 20  # only the stroke, not the background
    assert brush_strokes(None, (20, 10))[0].shape == (10, 20)


def test_the_shared_parser_proxy_locks_only_each_predict():
    """What Try on hands the engine: other sessions wait for its one parse, not the whole try-on."""
    from ui.common import Guarded

    held = []

    class Recorder:
        def predict(self, image):
            held.append(guarded.lock.locked())
            return f"parse of {image}"

    guarded = Guarded(Recorder())
    parser = guarded.one_call_at_a_time()
    assert not guarded.lock.locked()
    assert parser.predict("photo") == "parse of photo" and held == [True]
    assert not guarded.lock.locked()


def test_fit_asks_dress_or_separates_when_unsure_and_one_click_answers(fitted):
    """The shipped parser is unsure of the astronaut's outfit: Fit says so in one line and offers both
    readings; "It's a dress" relabels the outfit and preselects the dress, and the question goes away."""
    assert [i.value for i in fitted.info] == [
        "The studio is not sure whether this is one dress or a top and a bottom: which is it?"]
    assert fitted.selectbox(key="fit_garment").value == "clothing"
    fitted.button(key="fit_outfit_dress").click().run()
    assert not fitted.exception and not fitted.info
    assert fitted.selectbox(key="fit_garment").value == "dress"
    kept = fitted.session_state[handoff.FIT_KEY]
    assert kept.garment == "dress" and not kept.parse.mask("top").any() and not kept.parse.mask("bottom").any()


def test_a_new_photo_resets_its_refinements_without_a_streamlit_warning(fitted):
    """The refinements belong to one photo: a new photo starts from none, set through session
    state alone (a default as well makes Streamlit warn, which the autouse fixture fails on)."""
    fitted.multiselect(key="fit_include").set_value(["hair"]).run()
    assert "hair" in fitted.session_state[handoff.FIT_KEY].settings["include"]
    fitted.radio(key="fit_photo_source").set_value("Upload").run()
    fitted.file_uploader(key="fit_photo_upload").set_value(("me.png", shopper_photo(), "image/png")).run()
    assert not fitted.exception and not fitted.error
    assert fitted.multiselect(key="fit_include").value == []
    assert fitted.session_state[handoff.FIT_KEY].settings["include"] == []


def test_moving_a_tryon_slider_lays_the_fabric_again_without_redoing_the_photos_work(fitted, monkeypatch):
    """The per-photo dressing work (matting, surface) is done once per photo and area in a session; the
    scale slider only lays the fabric again."""
    import studio.composite

    calls = []
    prepare = studio.composite.prepare_dress

    def counted(*args, **kwargs):
        calls.append(1)
        return prepare(*args, **kwargs)

    monkeypatch.setattr(studio.composite, "prepare_dress", counted)
    fitted.session_state[handoff.DESIGN_KEY] = handoff.Design(
        sample("artworks", "waves"), "sample: cat", ("waves",), None, 1.0, False, 384, "test", "explore")
    fitted.switch_page("app_pages/tryon.py").run()
    first = fitted.session_state[handoff.FIT_KEY]
    fitted.slider(key="tryon_scale").set_value(0.5).run()
    fitted.slider(key="tryon_rotation").set_value(30).run()
    assert not fitted.exception and not fitted.error
    assert len(calls) == 1 and fitted.session_state[handoff.FIT_KEY] is first


def test_fit_takes_in_a_dress_bodice_the_parser_called_a_top(tmp_path, monkeypatch):
    """A pink dress whose bodice the parser calls a top: choosing "dress" on the Fit page shows (and
    hands to Try on) the whole dress, bodice included, since the bodice is the dress's own cloth."""
    from studio.parsing import CLASS_NAMES, Parse

    pixels = np.full((520, 400, 3), 128, np.uint8)
    pixels[60:480, 110:290] = (220, 80, 150)
    dress, top = CLASS_NAMES.index("dress"), CLASS_NAMES.index("top")

    def split_parse(self, image):
        labels = np.zeros((image.height, image.width), np.uint8)
        pink = np.all(np.asarray(image.convert("RGB")) == (220, 80, 150), axis=2)
        labels[pink] = dress
        labels[:200][pink[:200]] = top
        probabilities = (labels[None] == np.arange(len(CLASS_NAMES))[:, None, None]).astype(np.float32)
        return Parse(labels=labels, probabilities=probabilities, outfit="dress", outfit_confidence=1.0)

    monkeypatch.setattr(GarmentParser, "predict", split_parse)
    monkeypatch.setenv("STUDIO_STUDY_ITEMS", str(tmp_path / "items"))
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page("app_pages/fit.py").run()
    at.radio(key="fit_photo_source").set_value("Upload").run()
    at.file_uploader(key="fit_photo_upload").set_value(("pink.png", png_bytes(Image.fromarray(pixels)), "image/png")).run()
    at.selectbox(key="fit_garment").set_value("dress").run()
    assert not at.exception
    fit = at.session_state[handoff.FIT_KEY]
    assert fit.garment == "dress" and fit.mask[70:190, 120:280].all() and fit.mask[220:470, 120:280].all()
