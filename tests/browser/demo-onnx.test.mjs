// The demo's "Your ONNX model" card in headless Chromium: a committed ONNX
// classifier (tests/fixtures/onnx/classifier-op13.onnx: conv, pools, a flatten
// as Reshape, Gemm, LogSoftmax; input [2, 3, 7, 7]) opened through the page's
// file input, its summary, and its classification of the drawn digit and of an
// image file: the same output and probability bits as Node's loadOnnx gives for
// the input the page fed (both on the baseline SIMD build). Files that are not ONNX, an unsupported op and an
// input the demo cannot feed are reported in the card; at 400 px nothing
// overflows. And dist/onnx.js as scripts/bundle.mjs builds it (protobufjs
// inside) imported by a page. Needs dist/ and demo/dist/: run through `npm run test:browser`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as sn from '../../dist/index.js';
import { loadOnnx } from '../../dist/onnx.js';
import { openCheckPage, overflow, startBrowser } from './lib.mjs';

const MODEL = 'tests/fixtures/onnx/classifier-op13.onnx';
const { onnx } = onnxProto;
let env;
let dir;

before(async () => {
  mkdirSync('test-artifacts', { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'simdnn-demo-onnx-'));
  await sn.init({ threads: 1 });
  env = await startBrowser({ plain: false });
});
after(async () => {
  await env?.close();
  sn.shutdown();
});

/** The fixture with `edit(model)` applied, written to dir/name. */
function variant(name, edit) {
  const m = onnx.ModelProto.decode(readFileSync(MODEL));
  edit(m);
  const path = join(dir, name);
  writeFileSync(path, onnx.ModelProto.encode(m).finish());
  return path;
}

async function openDemo(width, query = '') {
  const page = await env.browser.context.newPage();
  await page.setViewportSize({ width, height: 1000 });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('worker', (w) => w.on('console', (m) => { if (m.type() === 'error') errors.push(`worker: ${m.text()}`); }));
  await page.goto(`${env.url(true)}/demo/${query}`);
  await page.waitForSelector('body[data-ready=true]', { timeout: 60_000 });
  return { page, errors };
}

/** Opens `path` through the card's file input and waits for the card's verdict. */
async function openModel(page, path) {
  const before = await page.textContent('#onnx-status');
  await page.setInputFiles('#onnx-file', path);
  await page.waitForFunction((b) => document.body.dataset.onnx !== 'busy' && document.querySelector('#onnx-status').textContent !== b, before, { timeout: 60_000 });
  return page.textContent('#onnx-status');
}

async function classified(page, n) {
  await page.waitForSelector(`body[data-onnx-classified="${n}"]`, { timeout: 60_000 });
  return page.evaluate(() => window.demoOnnx);
}

/** Node's loadOnnx on the page's input (its declared batch of copies): row 0 of the output and its softmax. */
function nodeRun(got) {
  const model = loadOnnx(new Uint8Array(readFileSync(MODEL)));
  model.eval();
  const per = got.input.length;
  const batch = new Float32Array(got.batch * per);
  for (let i = 0; i < got.batch; i++) batch.set(got.input, i * per);
  return sn.tidy(() => sn.noGrad(() => {
    const y = model.forward(sn.tensor(batch, [got.batch, ...got.shape]));
    const K = y.shape[1];
    const row = y.toFloat32Array().slice(0, K);
    return { output: Array.from(row), probs: Array.from(sn.F.softmax(sn.tensor(row, [1, K]), 1).toFloat32Array()) };
  }));
}

const bits = (a) => Array.from(new Uint32Array(Float32Array.from(a).buffer));

test('opens the classifier, shows its summary, classifies the drawing and an image with the bits Node gives', async () => {
  // ?simd=baseline: the relaxed-SIMD build ('auto' in Chromium) may differ from Node in the last bits (docs/browser.md).
  const { page, errors } = await openDemo(1280, '?simd=baseline');
  assert.equal(await page.textContent('#simd'), 'SIMD: baseline');
  try {
    assert.match(await openModel(page, MODEL), /^opened classifier-op13\.onnx: classifies RGB 7×7 images \(a fixed batch of 2: the image is fed 2 times\)$/);
    const summary = await page.$$eval('#onnx-summary div', (rows) => Object.fromEntries(rows.map((r) => [r.querySelector('dt').textContent, r.querySelector('dd').textContent])));
    assert.equal(summary.input, 'input [2, 3, 7, 7]');
    assert.equal(summary.output, 'output');
    assert.match(summary.nodes, /^\d+ \(.*Conv×2.*Gemm×2.*LogSoftmax.*\)$/);
    assert.equal(summary.parameters.split(' ')[0], '439');

    // The drawn digit (a 7), normalised with ImageNet's statistics.
    const box = await page.locator('#pad').boundingBox();
    await page.mouse.move(box.x + 0.3 * box.width, box.y + 0.25 * box.height);
    await page.mouse.down();
    for (const [x, y] of [[0.7, 0.25], [0.45, 0.8]]) await page.mouse.move(box.x + x * box.width, box.y + y * box.height, { steps: 8 });
    await page.mouse.up();
    await page.selectOption('#onnx-norm', 'imagenet');
    await page.click('#onnx-classify');
    const drawn = await classified(page, 1);
    assert.equal(drawn.input.length, 3 * 7 * 7);
    assert.ok(drawn.input.some((v) => v > 0), 'the drawing reached the model');
    const ref = nodeRun(drawn);
    assert.deepEqual(bits(drawn.output), bits(ref.output), 'output row: Chromium and Node differ');
    assert.deepEqual(bits(drawn.probs), bits(ref.probs), 'probabilities: Chromium and Node differ');
    const top = await page.$$eval('#onnx-top5 li', (lis) => lis.map((li) => [li.querySelector('.cls').textContent, li.querySelector('.pct').textContent]));
    const order = [0, 1, 2].sort((a, b) => ref.probs[b] - ref.probs[a]);
    assert.deepEqual(top, order.map((c) => [`class ${c}`, `${(ref.probs[c] * 100).toFixed(1)}%`]));

    // An image file, decoded in the worker at 7x7 (createImageBitmap's resize), normalised to [0, 1].
    await page.selectOption('#onnx-norm', 'unit');
    await page.setInputFiles('#onnx-image', 'tests/fixtures/data/photos/photo444.jpg');
    const photo = await classified(page, 2);
    assert.equal(await page.inputValue('#onnx-source'), 'image');
    assert.ok(photo.input.every((v) => v >= 0 && v <= 1) && new Set(photo.input).size > 20, 'the photo reached the model');
    const ref2 = nodeRun(photo);
    assert.deepEqual(bits(photo.output), bits(ref2.output));
    assert.deepEqual(bits(photo.probs), bits(ref2.probs));
    await page.screenshot({ path: 'test-artifacts/demo-onnx.png', fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('not ONNX, an unsupported op, an input the demo cannot feed: said in the card; nothing overflows at 400 px', async () => {
  const { page, errors } = await openDemo(400);
  try {
    const notOnnx = join(dir, 'notes.onnx');
    writeFileSync(notOnnx, 'these are my notes, not a model\n');
    assert.match(await openModel(page, notOnnx), /^could not open notes\.onnx: loadOnnx: not a valid ONNX model file .+$/);
    assert.equal(await page.getAttribute('#onnx-status', 'class'), 'error-text');

    assert.match(await openModel(page, MODEL), /^opened classifier-op13\.onnx/);
    const unsupported = variant('nms.onnx', (m) => { m.graph.node[1].opType = 'NonMaxSuppression'; });
    const msg = await openModel(page, unsupported);
    assert.match(msg, /^could not open nms\.onnx: loadOnnx: node '.+': op type NonMaxSuppression \(opset 13\) is not supported \(supported: .+\) \(classifier-op13\.onnx stays open\)$/);

    const flat = variant('flat.onnx', (m) => { m.graph.input[0].type.tensorType.shape.dim = [{ dimValue: 2 }, { dimValue: 147 }]; });
    assert.match(await openModel(page, flat), /^opened flat\.onnx, but the demo cannot feed it: input 'input' is \[2, 147\]; the demo feeds images as \[N, C, H, W\] \(NCHW\)$/);
    assert.equal(await page.isDisabled('#onnx-classify'), true);
    const fiveChannels = variant('five.onnx', (m) => { m.graph.input[0].type.tensorType.shape.dim[1] = { dimValue: 5 }; });
    assert.match(await openModel(page, fiveChannels), /cannot feed it: input 'input' is \[2, 5, 7, 7\]: 5 channels; the demo feeds 1 \(gray\) or 3 \(RGB\)$/);

    assert.equal(await page.isVisible('#error'), false);
    await page.screenshot({ path: 'test-artifacts/demo-onnx-phone.png', fullPage: true });
    assert.deepEqual(await overflow(page), { vw: 400, page: 0, cards: 0 });
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('dist/onnx.js as built (protobufjs inside, dist/index.js beside it) runs in a page with Node\'s bits', async () => {
  const page = await openCheckPage(env.browser, `${env.url(true)}/tests/browser/onnx-page.html`);
  try {
    for (const [file, shape] of [['classifier-op13.onnx', [2, 3, 7, 7]], ['inverted_residual-op11.onnx', [2, 3, 8, 8]]]) {
      const got = await page.evaluate(([f, s]) => window.runOnnx(`/tests/fixtures/onnx/${f}`, s), [file, shape]);
      assert.equal(got.threads, 2);
      const model = loadOnnx(new Uint8Array(readFileSync(`tests/fixtures/onnx/${file}`)));
      model.eval();
      const n = shape.reduce((a, b) => a * b);
      const x = sn.tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37)), shape);
      const want = Array.from(sn.noGrad(() => model.forward(x)).toFloat32Array());
      assert.deepEqual(bits(got.out), bits(want), file);
    }
  } finally {
    await page.close();
  }
});
