"""Garment parsing: a U-Net that labels every pixel of a shopper's photo.

``classes`` holds the fixed class table, ``parse`` the :class:`Parse` and garment masks made from
it, ``model`` the network (configuration, preprocessing, :class:`GarmentParser`), ``outfit`` the
outfit decision (a dress, or separates) and ``metrics`` the scores against pixel labels. CCP's label mapping is the training
tools' business (``tools/ccp.py``).
"""

from studio.parsing.classes import CLASS_NAMES, GARMENT_CLASSES, GROUPS, PALETTE, class_ids
from studio.parsing.metrics import ParseScores, confusion_matrix, scores
from studio.parsing.model import (
    INPUT_NORMALIZATIONS,
    MIRROR_PASS,
    SHARPEN_OUTLINES,
    GarmentParser,
    ParserConfig,
    ParserWeightsError,
    build_network,
    prepare_input,
    refine_outlines,
    resize_for_network,
    save_weights,
    split_outputs,
)
from studio.parsing.outfit import (
    CLEARLY_A_DRESS,
    CLEARLY_SEPARATES,
    DRESS_THRESHOLD,
    OUTFIT_CLASSES,
    OutfitDecision,
    decide_outfit,
    relabel_outfit,
    settle_outfit,
)
from studio.parsing.parse import MAIN_PART_SHARE, PERSON_MARGIN, PERSON_REACH, Parse, garment_mask, main_garment, near_person

__all__ = [
    "CLASS_NAMES", "CLEARLY_A_DRESS", "CLEARLY_SEPARATES", "DRESS_THRESHOLD", "GARMENT_CLASSES", "GROUPS",
    "INPUT_NORMALIZATIONS", "MAIN_PART_SHARE", "MIRROR_PASS", "OUTFIT_CLASSES", "PALETTE", "PERSON_MARGIN",
    "PERSON_REACH", "SHARPEN_OUTLINES",
    "GarmentParser", "OutfitDecision", "Parse", "ParseScores", "ParserConfig", "ParserWeightsError", "build_network",
    "class_ids", "confusion_matrix", "decide_outfit", "garment_mask", "main_garment", "near_person", "prepare_input",
    "refine_outlines", "relabel_outfit", "resize_for_network", "save_weights", "scores", "settle_outfit",
    "split_outputs",
]
