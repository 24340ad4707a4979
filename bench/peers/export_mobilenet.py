"""Writes the ONNX graphs onnxruntime-node runs: torchvision's MobileNetV2 (random weights, dynamic
batch) and a plain MatMul (dynamic sizes). Usage: export_mobilenet.py OUT_DIR. Files already there
are kept. Run with Debian's /usr/bin/python3 (python3-torch, python3-torchvision)."""
import os
import sys

import torch
import torchvision


class MatMul(torch.nn.Module):
    def forward(self, a, b):
        return torch.matmul(a, b)


def export(model, inputs, names, dynamic, path):
    if os.path.exists(path):
        return
    tmp = path + ".tmp"
    torch.onnx.export(model, inputs, tmp, input_names=names, output_names=["out"],
                      dynamic_axes=dynamic, opset_version=13, do_constant_folding=True)
    os.replace(tmp, path)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    net = torchvision.models.mobilenet_v2(weights=None).eval()
    export(net, (torch.randn(1, 3, 224, 224),), ["input"], {"input": {0: "batch"}, "out": {0: "batch"}},
           os.path.join(out, "mobilenet_v2.onnx"))
    export(MatMul(), (torch.randn(8, 8), torch.randn(8, 8)), ["a", "b"],
           {"a": {0: "m", 1: "k"}, "b": {0: "k", 1: "n"}, "out": {0: "m", 1: "n"}},
           os.path.join(out, "matmul.onnx"))
    print("ok")


if __name__ == "__main__":
    main()
