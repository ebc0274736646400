"""Body measurements: a published women's size table, own measurements over it, and their limits.

The table is the standard body measurements chart of W. Aldrich, *Metric Pattern Cutting for
Women's Wear*, 6th ed. (Wiley-Blackwell, 2015), UK sizes 6-24, graded in the bust intervals of
EN 13402-3 (4 cm up to size 18, then 6 cm). Girths and widths are the chart's; the vertical
lengths (back waist length, armscye depth, waist to hip, sleeve length) follow the same author's
5th-edition chart (2008), 0.5 cm a size (waist to hip 0.3 cm); the chart is drafted for a height
of 160-172 cm, so every size is drafted at 166 cm. EU labels are the usual UK + 28 (UK 10 = EU 38).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

import numpy as np

from studio.errors import InputError, UnknownChoiceError

SOURCE = ("W. Aldrich, Metric Pattern Cutting for Women's Wear, 6th ed. (2015), standard body "
          "measurements, UK sizes 6-24 (EN 13402-3 bust intervals)")

UK_SIZES = (6, 8, 10, 12, 14, 16, 18, 20, 22, 24)
_TABLE: dict[str, tuple[float, ...]] = {
    "bust": (80, 84, 88, 92, 96, 100, 104, 110, 116, 122),
    "waist": (64, 68, 72, 76, 80, 84, 88, 94, 100, 106),
    "hip": (88, 92, 96, 100, 104, 108, 112, 118, 124, 132),
    "back_waist_length": (40.0, 40.5, 41.0, 41.5, 42.0, 42.5, 43.0, 43.5, 44.0, 44.5),
    "shoulder": (11.75, 12.0, 12.25, 12.5, 12.75, 13.0, 13.25, 13.6, 13.9, 14.2),
    "neck": (35, 36, 37, 38, 39, 40, 41, 42, 43, 44),
    "height": (166,) * 10,
    "back_width": (32.4, 33.4, 34.4, 35.4, 36.4, 37.4, 38.4, 39.8, 41.2, 42.6),
    "chest_width": (30.0, 31.2, 32.4, 33.6, 34.8, 36.0, 37.2, 39.0, 40.8, 42.6),
    "bust_dart": (5.8, 6.4, 7.0, 7.6, 8.2, 8.8, 9.4, 10.0, 10.6, 11.2),
    "top_arm": (26.0, 27.2, 28.4, 29.6, 30.8, 32.0, 33.2, 35.0, 36.8, 38.6),
    "armscye_depth": (20.0, 20.5, 21.0, 21.5, 22.0, 22.5, 23.0, 23.5, 24.0, 24.5),
    "waist_to_hip": (20.0, 20.3, 20.6, 20.9, 21.2, 21.5, 21.8, 22.1, 22.4, 22.7),
    "sleeve_length": (57.5, 58.0, 58.5, 59.0, 59.5, 60.0, 60.5, 61.0, 61.5, 62.0),
}
SIZES: tuple[str, ...] = tuple(f"EU{uk + 28}" for uk in UK_SIZES)
DEFAULT_SIZE = "EU38"

# The measurements a person takes herself (the Sew page's fields); the rest follow from the bust
# (widths, dart, top arm, armscye depth), the hip (waist to hip) and the height (sleeve length)
# as in the table, unless given too.
PRIMARY = ("bust", "waist", "hip", "back_waist_length", "shoulder", "neck", "height")
LABELS = {"bust": "Bust", "waist": "Waist", "hip": "Hip", "back_waist_length": "Back waist length",
          "shoulder": "Shoulder", "neck": "Neck", "height": "Height", "back_width": "Back width",
          "chest_width": "Chest width", "bust_dart": "Bust dart", "top_arm": "Top arm",
          "armscye_depth": "Armscye depth", "waist_to_hip": "Waist to hip", "sleeve_length": "Sleeve length"}
RANGES: dict[str, tuple[float, float]] = {
    "bust": (70, 150), "waist": (50, 140), "hip": (76, 160), "back_waist_length": (34, 52),
    "shoulder": (9, 17), "neck": (30, 50), "height": (140, 200), "back_width": (26, 50),
    "chest_width": (24, 50), "bust_dart": (3, 15), "top_arm": (20, 50), "armscye_depth": (16, 28),
    "waist_to_hip": (15, 28), "sleeve_length": (45, 72),
}
FROM_BUST = ("back_width", "chest_width", "bust_dart", "top_arm", "armscye_depth")


@dataclass(frozen=True)
class Measurements:
    """A body in cm: the size table's columns."""

    bust: float
    waist: float
    hip: float
    back_waist_length: float
    shoulder: float
    neck: float
    height: float
    back_width: float
    chest_width: float
    bust_dart: float
    top_arm: float
    armscye_depth: float
    waist_to_hip: float
    sleeve_length: float

    def to_dict(self) -> dict[str, float]:
        return {k: round(float(v), 2) for k, v in asdict(self).items()}


def size_name(size: str) -> str:
    """The table's name for ``size`` ("EU38"; "38", "eu 38" and "UK10" are understood too)."""
    name = size.strip().upper().replace(" ", "")
    if name.startswith("UK") and name[2:].isdigit():
        name = f"EU{int(name[2:]) + 28}"
    elif name.isdigit():
        name = f"EU{name}"
    if name not in SIZES:
        raise UnknownChoiceError(f"Unknown size {size!r}; choose one of: {', '.join(SIZES)}.")
    return name


def size_measurements(size: str) -> Measurements:
    """The table's row for ``size``."""
    row = SIZES.index(size_name(size))
    return Measurements(**{k: float(v[row]) for k, v in _TABLE.items()})


def _by(column: str, key: str, value: float) -> float:
    """The table's ``column`` where its ``key`` column is ``value`` (linear, extended at the ends)."""
    xs, ys = np.asarray(_TABLE[key], float), np.asarray(_TABLE[column], float)
    if value < xs[0] or value > xs[-1]:
        end = slice(0, 2) if value < xs[0] else slice(-2, None)
        slope = (ys[end][1] - ys[end][0]) / (xs[end][1] - xs[end][0])
        return float(ys[end][0] + slope * (value - xs[end][0]))
    return float(np.interp(value, xs, ys))


def measurements(size: str = DEFAULT_SIZE, **own: float) -> Measurements:
    """The size's measurements with the person's own ones over them, checked.

    A secondary measurement not given follows the given bust, hip or height as the table does."""
    unknown = sorted(set(own) - set(RANGES))
    if unknown:
        raise UnknownChoiceError(f"Unknown measurement {unknown[0]!r}; use: {', '.join(RANGES)}.")
    base = size_measurements(size)
    values = {k: float(v) for k, v in own.items()}
    for name, value in values.items():
        low, high = RANGES[name]
        if not (np.isfinite(value) and low <= value <= high):
            raise InputError(f"{LABELS[name]} must be between {low:g} and {high:g} cm, got {value:g}.")
    derived: dict[str, float] = {}
    if "bust" in values:
        derived.update({k: _by(k, "bust", values["bust"]) for k in FROM_BUST})
    if "hip" in values:
        derived["waist_to_hip"] = _by("waist_to_hip", "hip", values["hip"])
    if "height" in values:
        derived["sleeve_length"] = base.sleeve_length * values["height"] / base.height
    result = replace(base, **{**{k: v for k, v in derived.items() if k not in values}, **values})
    check_body(result)
    return result


def check_body(body: Measurements) -> None:
    """Refuse a combination no body has or the blocks cannot fit, in one sentence."""
    for field in fields(body):
        value = getattr(body, field.name)
        low, high = RANGES[field.name]
        if not low <= value <= high:
            raise InputError(f"{LABELS[field.name]} must be between {low:g} and {high:g} cm, got {value:g}.")
    if body.waist > body.bust + 10:
        raise InputError(f"A waist of {body.waist:g} cm is more than 10 cm above the bust ({body.bust:g} cm); "
                         "this dress cannot be drafted for it.")
    if body.waist > body.hip + 10:
        raise InputError(f"A waist of {body.waist:g} cm is more than 10 cm above the hip ({body.hip:g} cm); "
                         "this dress cannot be drafted for it.")
    if body.bust - body.waist > 45:
        raise InputError(f"Bust {body.bust:g} cm and waist {body.waist:g} cm differ by more than 45 cm, "
                         "more than the bodice darts can take in.")
    if body.hip - body.waist > 55:
        raise InputError(f"Hip {body.hip:g} cm and waist {body.waist:g} cm differ by more than 55 cm, "
                         "more than the skirt darts can take in.")
    low, high = 0.21 * body.height, 0.30 * body.height
    if not low <= body.back_waist_length <= high:
        raise InputError(f"A back waist length of {body.back_waist_length:g} cm does not fit a height of "
                         f"{body.height:g} cm (it should be between {low:.0f} and {high:.0f} cm).")
    if body.armscye_depth >= body.back_waist_length - 12:
        raise InputError(f"An armscye depth of {body.armscye_depth:g} cm leaves too little bodice below the arm "
                         f"for a back waist length of {body.back_waist_length:g} cm.")


def parse_measurements(text: str) -> dict[str, float]:
    """``"bust=88,waist=70,hip=96"`` as a dict; one sentence for a malformed item."""
    own: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            own[name.strip().lower().replace("-", "_")] = float(value)
        except ValueError:
            raise InputError(f"Measurement {item!r} must look like bust=88 (a name, '=', a number in cm).") from None
    return own
