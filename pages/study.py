"""Study: a volunteer consents, then rates blinded items one by one."""

import streamlit as st

from studio import config
from studio.study import (
    QUESTIONS,
    RatingLog,
    StudyLogError,
    new_participant_id,
    new_session_id,
    presentation_order,
    study_items,
)

SCALE = {1: "1 · strongly disagree", 2: "2", 3: "3 · neutral", 4: "4", 5: "5 · strongly agree"}

st.title("User study")
items = {item.item_id: item for item in study_items(config.study_items_dir())}
state = st.session_state

if not items:
    st.info(f"There are no study items yet. Add creations with “Add to study” on the Try-on page, "
            f"or put images in {config.study_items_dir()}.")
    st.stop()

if "study_participant" not in state:
    st.markdown(
        "Thank you for helping us. You will see **{n} pictures** of clothes designed in Dress Studio, "
        "one at a time, and answer three short questions about each (about {m} minutes).\n\n"
        "- Your answers are stored **anonymously** with a random id; we do not record your name, "
        "your photo or anything that identifies you.\n"
        "- Taking part is voluntary; you can stop at any time by closing this page.\n"
        "- The anonymous answers may be published in summaries of this study.".format(n=len(items), m=max(1, len(items) // 3))
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

order = [item_id for item_id in state["study_order"] if item_id in items]
position = state["study_position"]
if position >= len(order):
    st.success("Thank you! Your answers are saved.")
    st.caption(f"Your anonymous id: {state['study_participant']}")
    st.balloons()
    st.stop()

item = items[order[position]]
st.progress(position / len(order), text=f"Item {position + 1} of {len(order)}")
st.image(str(item.path), width=520)
with st.form(f"rate_{position}", clear_on_submit=True):
    answers = {name: st.radio(text, list(SCALE), format_func=SCALE.get, index=None, horizontal=True, key=f"q_{name}_{position}")
               for name, text in QUESTIONS.items()}
    comment = st.text_area("Anything else? (optional)", max_chars=2000, key=f"comment_{position}")
    submitted = st.form_submit_button("Next", type="primary")
if submitted:
    if any(value is None for value in answers.values()):
        st.warning("Please answer all three questions.")
    else:
        try:
            RatingLog(config.ratings_csv()).append({
                "participant": state["study_participant"], "session_id": state["study_session"],
                "study_id": config.study_id(), "item": item.item_id, "comment": comment,
                "settings": item.settings, **answers,
            })
        except StudyLogError as exc:
            st.error(str(exc))
        else:
            state["study_position"] = position + 1
            st.rerun()
