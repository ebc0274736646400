"""Average parser weights from several epochs of one run (stochastic weight averaging) into one file.

    python -m tools.average_parser OUT.safetensors RUN/epochs/05.safetensors ... RUN/epochs/14.safetensors
    python -m tools.average_parser OUT.safetensors IN.safetensors --dress-threshold 0.27

Late epochs of a run with a still-high learning rate swing around a minimum; their mean lies nearer
to it than any one of them (Izmailov et al. 2018). Batch-norm statistics are averaged too. The photo
head's dress threshold is set to the training photos' share of dress photos (``--dress-threshold``
overrides it), so weights trained before the threshold was stored get it as well.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from studio import config


def average(paths: list[Path]) -> tuple[dict, dict[str, str]]:
    """(averaged state, the first file's metadata); integer tensors (batch counts) are rounded."""
    from safetensors import safe_open

    total, metadata, dtypes = {}, {}, {}
    for path in paths:
        with safe_open(str(path), framework="pt") as handle:
            metadata = metadata or dict(handle.metadata() or {})
            for key in handle.keys():  # noqa: SIM118 (a safetensors handle is no dict)
                tensor = handle.get_tensor(key)
                dtypes[key] = tensor.dtype
                total[key] = total.get(key, 0) + tensor.double()
    state = {}
    for key, summed in total.items():
        mean = summed / len(paths)
        state[key] = (mean if dtypes[key].is_floating_point else mean.round()).to(dtypes[key]).contiguous()
    return state, metadata


def main(argv: list[str] | None = None) -> None:
    from safetensors.torch import save_file

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("weights", type=Path, nargs="+")
    ap.add_argument("--dress-threshold", type=float, default=None,
                    help="the photo head's dress threshold (default: the training photos' share of dress photos)")
    ap.add_argument("--ccp", type=Path, default=config.ccp_dir())
    args = ap.parse_args(argv)

    state, metadata = average(args.weights)
    parser_config = json.loads(metadata["parser_config"])
    if parser_config.get("photo_classes"):
        if args.dress_threshold is None:
            from tools.train_parser import dress_share, training_tags

            args.dress_threshold = round(dress_share(training_tags(args.ccp)), 4)
        parser_config["dress_threshold"] = args.dress_threshold
    metadata["parser_config"] = json.dumps(parser_config)
    metadata["averaged"] = json.dumps([path.name for path in args.weights])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save_file(state, str(args.out), metadata=metadata)
    print(f"{args.out}: mean of {len(args.weights)} file(s), dress threshold {parser_config.get('dress_threshold')}")


if __name__ == "__main__":
    main()
