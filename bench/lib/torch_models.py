"""Helper for bench/models.mjs, run with /usr/bin/python3 (torch + torchvision).
  export DIR NAME...        writes DIR/NAME.onnx (torchvision model, eval, batch 1, 224x224, opset 13)
  time THREADS NAME...      prints JSON {NAME: median ms} for batch-1 224x224 inference (torch.no_grad)
  train THREADS NAME...     prints JSON {NAME: median ms} for one SGD step (forward+backward+step), batch 8
Random weights: only time is measured. Nothing here is committed output."""
import json, os, sys, time, statistics
import torch, torchvision.models as tvm

def build(name):
    if name == 'googlenet':
        return tvm.GoogLeNet(aux_logits=False, init_weights=True)
    return getattr(tvm, name)(weights=None)

# BENCH_CLOCK=cpu: this process's CPU time instead of wall clock (as bench/lib/timing.mjs), for
# one thread on a shared machine: the time waiting for a core does not count.
clock = time.process_time if os.environ.get('BENCH_CLOCK') == 'cpu' else time.perf_counter

def median_ms(fn, runs):
    fn(); fn()
    ts = []
    for _ in range(runs):
        t = clock(); fn(); ts.append((clock() - t) * 1e3)
    return statistics.median(ts)

cmd, arg, names = sys.argv[1], sys.argv[2], sys.argv[3:]
runs = int(os.environ.get('RUNS', '5'))
if cmd == 'export':
    os.makedirs(arg, exist_ok=True)
    for n in names:
        m = build(n).eval()
        torch.onnx.export(m, torch.randn(1, 3, 224, 224), os.path.join(arg, n + '.onnx'), opset_version=13,
                          input_names=['input'], output_names=['logits'])
    print(json.dumps({'ok': names}))
elif cmd == 'time':
    torch.set_num_threads(int(arg))
    out = {}
    for n in names:
        m = build(n).eval(); x = torch.randn(1, 3, 224, 224)
        with torch.no_grad():
            out[n] = median_ms(lambda: m(x), runs)
    print(json.dumps(out))
elif cmd == 'train':
    torch.set_num_threads(int(arg))
    out = {}
    for n in names:
        m = build(n).train(); x = torch.randn(8, 3, 224, 224); y = torch.randint(0, 1000, (8,))
        opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
        def step():
            opt.zero_grad(); torch.nn.functional.cross_entropy(m(x), y).backward(); opt.step()
        out[n] = median_ms(step, runs)
    print(json.dumps(out))
