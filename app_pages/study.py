"""Study: a volunteer consents, then rates blinded items one by one.

No answer may be lost at any click speed. The rating form and its widgets keep the same keys for
every item, so a click that lands while the next item is still being drawn belongs to the same
widget and survives; the answers are saved in the Next button's callback (before the page is
drawn again, no second rerun); and "Item k of n" is filled in last, once item k's form is in place.
If the store refuses (a database that is down), the answers are kept in the session and shown
again in the form, and Next retries.
"""

import math
import time

import streamlit as st

from studio import config
from studio.errors import StudioError
from studio.study import (
    QUESTIONS,
    StoreUnavailableError,
    new_participant_id,
    new_session_id,
    open_store,
    presentation_order,
    study_items,
)
from ui.common import shopper_sentence

SCALE = {1: "1 · strongly disagree", 2: "2", 3: "3 · neutral", 4: "4", 5: "5 · strongly agree"}
ANSWER_KEYS = {name: f"study_answer_{name}" for name in QUESTIONS}
COMMENT_KEY = "study_comment"
MINUTES_PER_ITEM = 1 / 3
DOUBLE_CLICK_SECONDS = 2.0

state = st.session_state


def save_answers(settings_by_item: dict[str, dict]) -> None:
    """Next: store the answers for the item on screen and move on, or keep them for a retry."""
    answers = {name: state.get(key) for name, key in ANSWER_KEYS.items()}
    comment = state.get(COMMENT_KEY) or ""
    kept = state.pop("study_kept", None)
    state.pop("study_problem", None)
    if all(value is None for value in answers.values()) and not comment:
        if kept is not None and kept["position"] == state["study_position"]:
            answers, comment = kept["answers"], kept["comment"]  # the retry of answers that were not saved
        elif time.monotonic() - state.get("study_saved_at", -math.inf) < DOUBLE_CLICK_SECONDS:
            return  # the second click of a double click on Next: the answers went with the first
    if any(value is None for value in answers.values()):
        state["study_problem"] = ("warning", "Please answer all three questions.")
    else:
        item_id = state["study_order"][state["study_position"]]
        try:
            open_store(config.ratings_location()).append({
                "participant": state["study_participant"], "session_id": state["study_session"],
                "study_id": config.study_id(), "item": item_id, "comment": comment,
                "settings": settings_by_item[item_id], **answers,
            })
        except StoreUnavailableError:
            state["study_problem"] = ("error", "Your answers could not be saved because the study's database "
                                               "cannot be reached; they are kept here, so press Next again in a moment.")
        except StudioError as exc:
            state["study_problem"] = ("error", shopper_sentence(exc))
        else:
            state["study_position"] += 1
            state["study_saved_at"] = time.monotonic()
            return
    state["study_kept"] = {"position": state["study_position"], "answers": answers, "comment": comment}
    for name, key in ANSWER_KEYS.items():  # the form clears itself on submit: show the answers again
        state[key] = answers[name]
    state[COMMENT_KEY] = comment


st.title("User study")
items = {item.item_id: item for item in study_items(config.study_items_dir())}

if not items:
    st.info("There are no study items yet. Add creations with “Add to study” on the Try-on page, "
            "or put images in the study's items folder (STUDIO_STUDY_ITEMS).")
    st.stop()

if "study_participant" not in state:
    minutes = max(1, round(len(items) * MINUTES_PER_ITEM))
    st.markdown(
        f"Thank you for helping us. You will see **{len(items)} {'picture' if len(items) == 1 else 'pictures'}** "
        "of clothes designed in Dress Studio, one at a time, and answer three short questions about each "
        f"(about {minutes} {'minute' if minutes == 1 else 'minutes'}).\n\n"
        "- Your answers are stored **anonymously** with a random id; we do not record your name, "
        "your photo or anything that identifies you.\n"
        "- Taking part is voluntary; you can stop at any time by closing this page.\n"
        "- The anonymous answers may be published in summaries of this study."
    )
    agreed = st.checkbox("I have read this and agree to take part.", key="study_consent")
    if st.button("Start", type="primary", disabled=not agreed):
        participant = new_participant_id()
        state["study_participant"] = participant
        state["study_session"] = new_session_id()
        state["study_order"] = [item.item_id for item in presentation_order(list(items.values()), participant)]
        state["study_position"] = 0
        st.rerun()
    st.stop()

order = state["study_order"]
while state["study_position"] < len(order) and order[state["study_position"]] not in items:
    state["study_position"] += 1  # an item removed from the folder during the study is skipped
position = state["study_position"]
if position >= len(order):
    st.success("Thank you! Your answers are saved.")
    st.caption(f"Your anonymous id: {state['study_participant']}")
    st.balloons()
    st.stop()

progress = st.empty()  # filled in after the form, so "Item k of n" means item k's form is ready
item = items[order[position]]
picture, questions = st.columns([2, 3], gap="large")  # the picture beside the questions: no scrolling
picture.image(str(item.path), width="stretch")
with questions.form("study_rating", clear_on_submit=True):
    for name, text in QUESTIONS.items():
        st.radio(text, list(SCALE), format_func=SCALE.get, index=None, horizontal=True, key=ANSWER_KEYS[name])
    st.text_area("Anything else? (optional)", max_chars=2000, key=COMMENT_KEY)
    st.form_submit_button("Next", type="primary", on_click=save_answers,
                          args=({item_id: entry.settings for item_id, entry in items.items()},))
if "study_problem" in state:
    kind, message = state["study_problem"]
    (st.warning if kind == "warning" else st.error)(message)
progress.progress(position / len(order), text=f"Item {position + 1} of {len(order)}")
