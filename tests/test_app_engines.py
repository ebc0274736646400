"""The style engine is server configuration: shoppers pick a configured engine by name, no field
takes a handle, and no page, error sentence or stored setting shows a server path."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from studio import config
from studio.errors import ConfigError, UnknownChoiceError
from studio.study import study_items
from ui import handoff
from ui.common import shopper_sentence

APP = str(config.PROJECT_ROOT / "streamlit_app.py")
SHIPPED = str(config.models_dir() / "magenta_arbitrary_v2_tf")


def shown_text(at: AppTest) -> str:
    """Every text the run put on the page and the sidebar (markdown, captions, alerts, labels, help)."""
    def walk(node):
        yield str(getattr(node, "proto", ""))
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    return "\n".join([*walk(at.main), *walk(at.sidebar)])


def test_no_field_takes_a_handle_and_the_design_names_its_engine(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_STUDY_ITEMS", str(tmp_path / "items"))
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.text_input and not at.sidebar.selectbox  # one engine: nothing to choose, nothing to type
    at.select_slider(key="design_size").set_value(256)
    at.button[0].click().run()
    assert not at.exception and not at.error
    design = at.session_state[handoff.DESIGN_KEY]
    assert design.engine == config.DEFAULT_STYLE_ENGINE
    assert str(config.PROJECT_ROOT) not in shown_text(at)

    at.switch_page("app_pages/fit.py").run()
    at.switch_page("app_pages/tryon.py").run()
    at.radio(key="tryon_fabric_choice").set_value("Design from the Design page").run()
    at.button(key="study_Your design").click().run()
    [item] = study_items(tmp_path / "items")
    assert item.settings["engine"] == config.DEFAULT_STYLE_ENGINE
    assert "/" not in json.dumps(item.settings)  # no server path in the stored settings


def test_the_operator_lists_engines_by_name_and_a_broken_one_is_one_safe_sentence(tmp_path, monkeypatch):
    missing = tmp_path / "secret-folder" / "engine"
    monkeypatch.setenv("STUDIO_STYLE_ENGINES", f"magenta={SHIPPED}; spare={missing}")
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.text_input
    assert at.sidebar.selectbox[0].options == ["magenta", "spare"]
    at.sidebar.selectbox[0].set_value("spare").run()
    at.select_slider(key="design_size").set_value(256)
    at.button[0].click().run()
    assert not at.exception
    [error] = [e.value for e in at.error]
    assert error.startswith("Style model spare is missing")
    assert str(tmp_path) not in shown_text(at) and "secret-folder" not in shown_text(at)
    at.switch_page("app_pages/explore.py").run()  # the choice holds on every page
    assert at.sidebar.selectbox[0].value == "spare"


def test_only_configured_names_reach_a_handle(monkeypatch):
    monkeypatch.setenv("STUDIO_STYLE_ENGINES", f"magenta={SHIPPED}")
    assert config.style_engine_handle("magenta") == SHIPPED
    for typed in ("/etc", SHIPPED, "https://tfhub.dev/google/magenta/arbitrary-image-stylization-v1-256/2"):
        with pytest.raises(UnknownChoiceError, match="choose one of: magenta"):
            config.style_engine_handle(typed)
    monkeypatch.setenv("STUDIO_STYLE_ENGINES", "no handle here")
    with pytest.raises(ConfigError, match="entry 1 is not a new NAME=HANDLE pair"):
        config.style_engines()


def test_a_shopper_never_sees_an_absolute_path():
    from studio.parsing import ParserWeightsError

    sentence = shopper_sentence(ParserWeightsError("Parser weights /srv/app/models/x.safetensors are missing; "
                                                   "train them with `python -m tools.train_parser`."))
    assert sentence == "Parser weights x.safetensors are missing; train them with `python -m tools.train_parser`."
    url = "The ratings database postgresql+psycopg://study:***@db.example:5432/ratings cannot be reached."
    assert shopper_sentence(UnknownChoiceError(url)) == url
