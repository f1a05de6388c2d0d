"""Exports torchvision CNNs with random weights to ONNX for `npm run check:onnx`.

    /usr/bin/python3 scripts/onnx_torchvision.py OUT_DIR [name ...]

Writes OUT_DIR/<name>.onnx (torch.onnx.export's defaults: eval mode, constant folding, so
batch norms are folded into the convolutions as a user's export would have them),
<name>.input.bin and <name>.output.bin (float32, little-endian) and <name>.json (shapes).
Batch-norm statistics are randomised so that eval mode is really exercised. Never committed.
"""
import json
import os
import sys

import torch
import torchvision.models as tvm

MODELS = {
    'resnet18': lambda: tvm.resnet18(),
    'googlenet': lambda: tvm.googlenet(aux_logits=False, init_weights=True),
    'alexnet': lambda: tvm.alexnet(),
    'vgg11_bn': lambda: tvm.vgg11_bn(),
    'squeezenet1_1': lambda: tvm.squeezenet1_1(),
    'mobilenet_v2': lambda: tvm.mobilenet_v2(),
}

out = sys.argv[1]
names = sys.argv[2:] or list(MODELS)
os.makedirs(out, exist_ok=True)
for name in names:
    torch.manual_seed(0)
    m = MODELS[name]()
    for mod in m.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.running_mean.uniform_(-0.2, 0.2)
            mod.running_var.uniform_(0.5, 1.5)
    m.eval()
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        y = m(x)
    torch.onnx.export(m, x, os.path.join(out, f'{name}.onnx'), opset_version=13, input_names=['input'], output_names=['output'])
    x.numpy().astype('<f4').tofile(os.path.join(out, f'{name}.input.bin'))
    y.numpy().astype('<f4').tofile(os.path.join(out, f'{name}.output.bin'))
    with open(os.path.join(out, f'{name}.json'), 'w') as f:
        json.dump({'input': list(x.shape), 'output': list(y.shape)}, f)
    print(name, 'exported', flush=True)
