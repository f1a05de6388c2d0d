// Prints the markdown tables of docs/zoo.md from sn.summary (run after `npm run build`):
//   node scripts/zoo-tables.mjs > /tmp/tables.md
import * as sn from '../dist/index.js';

await sn.init({ threads: 1 });
const n = (x) => x.toLocaleString('en-US');
// The paper's K is 1024 (inception 3a: 163,328 weights = 159.5K).
const k = (x) => `${(x / 1024).toFixed(1)}K`;
const m = (x) => `${(x / 1e6).toFixed(1)}M`;
const hwc = (s) => (s.length === 4 ? `${s[2]}x${s[3]}x${s[1]}` : s.slice(1).join('x'));
const out = [];

// The zoo at a glance.
out.push('| model | input | parameters | conv/linear weights | MACs per image | activations per image |', '|---|---|---:|---:|---:|---:|');
const zoo = [
  ['lenet5', () => sn.models.lenet5(), [1, 1, 32, 32]],
  ["alexnet (torchvision)", () => sn.models.alexnet(), [1, 3, 224, 224]],
  ["alexnet ('original')", () => sn.models.alexnet({ variant: 'original' }), [1, 3, 227, 227]],
  ...['vgg11', 'vgg13', 'vgg16', 'vgg19'].map((v) => [v, () => sn.models[v](), [1, 3, 224, 224]]),
  ['vgg16 (batchNorm)', () => sn.models.vgg16({ batchNorm: true }), [1, 3, 224, 224]],
  ['googlenet (torchvision)', () => sn.models.googlenet(), [1, 3, 224, 224]],
  ["googlenet ('original')", () => sn.models.googlenet({ variant: 'original' }), [1, 3, 224, 224]],
  ...['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152'].map((v) => [v, () => sn.models[v](), [1, 3, 224, 224]]),
];
for (const [name, build, shape] of zoo) {
  const model = build();
  const s = sn.summary(model, shape);
  out.push(`| ${name} | ${shape.slice(1).join('x')} | ${n(s.totals.params)} | ${n(s.totals.weights)} | ${n(s.totals.macs)} | ${n(s.totals.activations)} |`);
  model.dispose();
}

// VGG-16, as the lecture's table.
out.push('', '### VGG-16', '', '| layer | output (HxWxC) | memory | weights (no biases) | MACs |', '|---|---|---:|---:|---:|');
{
  const model = sn.models.vgg16();
  const s = sn.summary(model, [1, 3, 224, 224]);
  out.push(`| INPUT | 224x224x3 | ${n(3 * 224 * 224)} | 0 | 0 |`);
  for (const r of s.rows) {
    if (!['Conv2d', 'MaxPool2d', 'Linear'].includes(r.type)) continue;
    const label = r.type === 'Conv2d' ? `CONV3-${r.outputShape[1]}` : r.type === 'MaxPool2d' ? 'POOL2' : 'FC';
    out.push(`| ${label} (${r.name}) | ${hwc(r.outputShape)} | ${n(r.activations)} | ${n(r.weights)} | ${n(r.macs)} |`);
  }
  out.push(`| **total** | | **${n(s.totals.activations)}** | **${n(s.totals.weights)}** | **${n(s.totals.macs)}** |`);
  model.dispose();
}

// AlexNet, the 2012 paper.
out.push('', "### AlexNet ('original', 227x227)", '', '| layer | type | output (HxWxC) | params | weights | MACs |', '|---|---|---|---:|---:|---:|');
{
  const model = sn.models.alexnet({ variant: 'original' });
  const s = sn.summary(model, [1, 3, 227, 227]);
  for (const r of s.rows) {
    if (['ReLU', 'Dropout', 'Flatten'].includes(r.type)) continue;
    out.push(`| ${r.name} | ${r.type} | ${hwc(r.outputShape)} | ${n(r.params)} | ${n(r.weights)} | ${n(r.macs)} |`);
  }
  model.dispose();
}

// GoogLeNet, Table 1 of the paper beside ours.
const paper = {
  conv1: ['2.7K', '34M'], 'conv2+conv3': ['112K', '360M'], inception3a: ['159K', '128M'], inception3b: ['380K', '304M'],
  inception4a: ['364K', '73M'], inception4b: ['437K', '88M'], inception4c: ['463K', '100M'], inception4d: ['580K', '119M'],
  inception4e: ['840K', '170M'], inception5a: ['1072K', '54M'], inception5b: ['1388K', '71M'], fc: ['1000K', '1M'],
};
out.push('', "### GoogLeNet ('original', Table 1 of the paper)", '',
  '| stage | output | weights (ours; K = 1024) | paper params | MACs (ours) | paper ops |', '|---|---|---:|---:|---:|---:|');
{
  const model = sn.models.googlenet({ variant: 'original' });
  const s = sn.summary(model, [1, 3, 224, 224]);
  const rows = s.aggregate((name) => {
    const top = name.split('.')[0];
    return top === 'conv2' || top === 'conv3' ? 'conv2+conv3' : top;
  });
  for (const r of rows) {
    if (['ReLU', 'Dropout', 'Flatten', 'LocalResponseNorm', 'MaxPool2d', 'AvgPool2d'].includes(r.type)) continue;
    const p = paper[r.name] ?? ['', ''];
    out.push(`| ${r.name} | ${hwc(r.outputShape)} | ${n(r.weights)} (${k(r.weights)}) | ${p[0]} | ${n(r.macs)} (${m(r.macs)}) | ${p[1]} |`);
  }
  out.push(`| **total** | | **${n(s.totals.weights)}** | | **${n(s.totals.macs)}** | |`);
  model.dispose();
}
console.log(out.join('\n'));
sn.shutdown();
