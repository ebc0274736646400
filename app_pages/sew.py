"""Sew: the design on made-to-measure dress pattern pieces, laid on the fabric, ready to print."""

import io
from functools import partial

import streamlit as st

from studio.errors import StudioError
from studio.images import to_png_bytes
from studio.pattern import REPEATS
from studio.sew import (
    DEFAULT_FABRIC_WIDTH,
    DEFAULT_SIZE,
    FABRIC_WIDTHS,
    LABELS,
    LENGTHS,
    NECKLINES,
    PRIMARY,
    RANGES,
    SILHOUETTES,
    SIZES,
    SLEEVES,
    SOURCE,
    Style,
    measurements,
    sew,
    size_measurements,
)
from ui import handoff
from ui.common import image_picker
from ui.handoff import remember, remember_index

MODES = ["Size", "Own measurements"]

st.title("Sew it")
st.caption("Your design on a dress pattern drafted to your size: pieces, cutting layout, files for a fabric printer "
           "and for printing the pattern at home.")

design, kept_fabric = handoff.design(), handoff.fabric()
if design is not None:
    image = design.image
    repeat, scale, rotation, design_dpi = ((kept_fabric.repeat, kept_fabric.scale, kept_fabric.rotation, kept_fabric.dpi)
                                           if kept_fabric is not None else ("half-drop", 0.4, 0.0, 150))
    st.caption(f"Fabric from the Design page: **{' + '.join(design.artworks)}** on {design.content}, {repeat} repeat, "
               f"scale {scale:g}, rotation {rotation:g}° (change them on the Design page).")
else:
    st.info("No design from the Design page yet: sew a sample artwork instead.")
    c1, c2 = st.columns([2, 1])
    with c1:
        picked = image_picker("Sample fabric design", "sew_design", "artworks", camera=False)
    repeat = c2.selectbox("Repeat", REPEATS, **remember_index("sew_repeat", REPEATS, "half-drop"))
    scale = c2.slider("Scale", 0.1, 2.0, step=0.05, **remember("sew_scale", 0.5))
    rotation, design_dpi = 0.0, 150
    if picked is None:
        st.stop()
    image = picked.image

st.subheader("Measurements")
mode = st.radio("Draft from", MODES, horizontal=True, **remember_index("sew_mode", MODES, MODES[0]))
size = st.selectbox("Size", SIZES, **remember_index("sew_size", SIZES, DEFAULT_SIZE),
                    format_func=lambda s: f"{s} (UK {int(s[2:]) - 28}): bust {size_measurements(s).bust:g}, "
                                          f"waist {size_measurements(s).waist:g}, hip {size_measurements(s).hip:g} cm",
                    help=f"Size table: {SOURCE}.")
own = {}
if mode == "Own measurements":
    base = size_measurements(size)
    columns = st.columns(4)
    for i, name in enumerate(PRIMARY):
        low, high = RANGES[name]
        with columns[i % 4]:
            field, limits = st.columns([3, 2], vertical_alignment="bottom")
            own[name] = field.number_input(f"{LABELS[name]} (cm)", float(low), float(high), step=0.5,
                                           **remember(f"sew_own_{name}", float(getattr(base, name))))
            limits.caption(f"{low:g}–{high:g} cm")
    st.caption("Your measurements replace the size's; the rest follow your bust, hip and height as in the table.")

st.subheader("Style")
s1, s2, s3, s4 = st.columns(4)
silhouette = s1.selectbox("Silhouette", SILHOUETTES, **remember_index("sew_silhouette", SILHOUETTES, "a-line"))
length = s2.selectbox("Length", LENGTHS, **remember_index("sew_length", LENGTHS, "knee"))
sleeve = s3.selectbox("Sleeve", SLEEVES, **remember_index("sew_sleeve", SLEEVES, "short"))
neckline = s4.selectbox("Neckline", NECKLINES, **remember_index("sew_neckline", NECKLINES, "round"))
f1, f2, f3, f4 = st.columns(4)
width = f1.radio("Fabric width (cm)", FABRIC_WIDTHS, horizontal=True,
                 **remember_index("sew_width", FABRIC_WIDTHS, DEFAULT_FABRIC_WIDTH))
seam = f2.number_input("Seam allowance (cm)", 0.5, 3.0, step=0.5, **remember("sew_seam", 1.5))
hem = f3.number_input("Hem allowance (cm)", 1.0, 8.0, step=0.5, **remember("sew_hem", 3.0))
dpi = f4.number_input("Print DPI", 72, 600, step=1, **remember("sew_dpi", 150))
engineered = None
if st.checkbox("Engineered placement: centre a point of the design on the bodice and skirt fronts",
               **remember("sew_engineered", False)):
    e1, e2 = st.columns(2)
    engineered = (e1.slider("Point across the design", 0.0, 1.0, step=0.05, **remember("sew_point_x", 0.5)),
                  e2.slider("Point down the design", 0.0, 1.0, step=0.05, **remember("sew_point_y", 0.5)))

try:
    body = measurements(size, **own)
    dress = sew(image, body, Style(silhouette=silhouette, length=length, sleeve=sleeve, neckline=neckline,
                                   seam_allowance=seam, hem_allowance=hem),
                size="own" if own else size, fabric_width=float(width), dpi=int(dpi), repeat=repeat, scale=scale,
                rotation=rotation, design_dpi=design_dpi, engineered=engineered)
    with st.spinner("Printing the pieces…"):
        pieces, fabric_preview, flat = dress.pieces_preview(), dress.fabric_preview(), dress.flat(900)
except StudioError as exc:
    st.error(str(exc))
    st.stop()

numbers = dress.numbers()
m1, m2, m3, m4 = st.columns(4)
m1.metric("Fabric to order", f"{numbers['fabric_length_cm']:g} cm", help=f"{width} cm wide; the marker is "
          f"{numbers['marker_length_cm']:.1f} cm, rounded up to 10 cm.")
m2.metric("Marker efficiency", f"{numbers['marker_efficiency']:.0%}")
m3.metric("Finished bust / waist / hip (cm)", f"{numbers['bust_cm']:.0f}/{numbers['waist_cm']:.0f}/{numbers['hip_cm']:.0f}",
          help=f"Body plus ease {dress.pattern.ease.bust:g} / {dress.pattern.ease.waist:g} / {dress.pattern.ease.hip:g} cm.")
m4.metric("Sewn seams match within", f"{numbers['worst_seam_difference_cm'] * 10:.1f} mm",
          help=f"Sleeve cap ease {numbers['sleeve_cap_ease_cm']:.1f} cm." if sleeve != "none" else None)

left, middle, right = st.columns([5, 4, 3])
left.image(pieces, caption="The pieces with your design (one of each; fold pieces as halves)", width="stretch")
middle.image(fabric_preview, caption=f"Cutting layout on {width} cm fabric, {numbers['fabric_length_cm']:g} cm long",
             width="stretch")
right.image(flat, caption="The flat: your dress, sewn", width="stretch")
if right.button("Try the flat on", type="primary", help="Opens Try on with this dress as the garment image."):
    handoff.send_flat_to_tryon(flat)
    st.switch_page("app_pages/tryon.py")


def fabric_png() -> bytes:
    buffer = io.BytesIO()
    dress.write_fabric_png(buffer)
    return buffer.getvalue()


st.subheader("Files")
st.caption("pattern.pdf: print at 100 % and measure the 10 cm square first. fabric.png: send it to a fabric printer "
           f"({width} cm wide at {int(dpi)} DPI, the DPI is in the file).")
d = st.columns(6)
d[0].download_button("PDF (A4)", partial(dress.pdf, "a4"), "pattern-a4.pdf", "application/pdf")
d[1].download_button("PDF (Letter)", partial(dress.pdf, "letter"), "pattern-letter.pdf", "application/pdf")
d[2].download_button("PDF (copy shop)", partial(dress.pdf, "copyshop"), "pattern-copyshop.pdf", "application/pdf")
d[3].download_button("Fabric (PNG)", fabric_png, "fabric.png", "image/png")
d[4].download_button("SVG (mm)", dress.svg, "pattern.svg", "image/svg+xml")
d[5].download_button("JSON", dress.json, "pattern.json", "application/json")
d[0].download_button("Flat (PNG)", partial(to_png_bytes, flat), "flat.png", "image/png")
