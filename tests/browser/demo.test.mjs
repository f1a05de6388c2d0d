// The demo page (demo/, built by scripts/build-demo.mjs) in headless Chromium:
// it loads without console errors, trains LeNet-5 in its worker with a falling
// loss, classifies a digit drawn with the mouse, saves and reloads the weights,
// shows the zoo's summary table, and without cross-origin isolation runs on
// one thread and says why. Screenshots go to test-artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { startBrowser } from './lib.mjs';

let env;

before(async () => {
  mkdirSync('test-artifacts', { recursive: true });
  env = await startBrowser();
});

after(async () => {
  await env?.close();
});

/** Opens the demo and collects console errors and uncaught exceptions (page and workers). */
async function openDemo(isolated) {
  const page = await env.browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 1000 });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('worker', (w) => w.on('console', (m) => { if (m.type() === 'error') errors.push(`worker: ${m.text()}`); }));
  await page.goto(`${env.url(isolated)}/demo/`);
  await page.waitForSelector('body[data-ready=true]', { timeout: 60_000 });
  return { page, errors };
}

/** Mouse strokes on the drawing pad, points in [0,1] of its size. */
async function draw(page, strokes) {
  const box = await page.locator('#pad').boundingBox();
  for (const pts of strokes) {
    await page.mouse.move(box.x + pts[0][0] * box.width, box.y + pts[0][1] * box.height);
    await page.mouse.down();
    for (const [x, y] of pts.slice(1)) await page.mouse.move(box.x + x * box.width, box.y + y * box.height, { steps: 8 });
    await page.mouse.up();
  }
}

async function trainUntil(page, condition, arg) {
  await page.click('#train');
  await page.waitForFunction(condition, arg, { timeout: 90_000 });
  await page.click('#stop');
  await page.waitForFunction(() => document.querySelector('#train').textContent === 'Resume');
}

test('cross-origin isolated: trains, classifies a drawn 7, saves and loads weights, shows the zoo', async () => {
  const { page, errors } = await openDemo(true);
  try {
    assert.equal(await page.textContent('#threads'), '2 threads');
    assert.equal(await page.isVisible('#isolation-notice'), false);
    assert.equal(await page.textContent('#memory'), 'shared memory');

    // Train until the held-out accuracy reaches 90% (a few hundred steps).
    await trainUntil(page, () => Number(document.body.dataset.testAccuracy) >= 0.9);
    const losses = await page.evaluate(() => window.demoLosses);
    assert.ok(losses.length >= 2, `${losses.length} loss reports`);
    assert.ok(losses.at(-1) < losses[0] * 0.5, `loss did not fall: ${losses.join(', ')}`);

    // A 7: a bar across the top and a stroke down to the bottom left.
    await draw(page, [[[0.3, 0.25], [0.7, 0.25], [0.45, 0.8]]]);
    await page.waitForSelector('body[data-predicted]');
    assert.equal(await page.getAttribute('body', 'data-predicted'), '7');
    const probs = await page.$$eval('#bars .pct', (els) => els.map((e) => parseFloat(e.textContent)));
    assert.equal(probs.length, 10);
    assert.ok(Math.abs(probs.reduce((a, b) => a + b) - 100) < 1, `probabilities sum to ${probs.reduce((a, b) => a + b)}%`);

    // Save: a safetensors file with torchvision's LeNet-5 names; load it back.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
    const path = await download.path();
    const bytes = readFileSync(path);
    const headerLen = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLen).toString('utf8'));
    assert.deepEqual(header['conv1.weight'].shape, [6, 1, 5, 5]);
    assert.deepEqual(header['fc3.bias'].shape, [10]);
    await page.setInputFiles('#load', path);
    await page.waitForFunction(() => /loaded 10 tensors/.test(document.querySelector('#weights-status').textContent));

    // The zoo: ResNet-18's summary.
    await page.selectOption('#zoo-model', 'resnet18');
    await page.click('#zoo-show');
    await page.waitForSelector('body[data-zoo=resnet18]', { timeout: 60_000 });
    assert.match(await page.textContent('#zoo-totals'), /11,689,512 parameters/);
    assert.match(await page.textContent('#zoo-table tfoot'), /1\.81 G/);
    assert.ok((await page.$$('#zoo-table tbody tr')).length > 50);

    await page.screenshot({ path: 'test-artifacts/demo.png', fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('not isolated: one thread, the notice names both headers, training still works', async () => {
  const { page, errors } = await openDemo(false);
  try {
    assert.equal(await page.textContent('#threads'), '1 thread');
    assert.equal(await page.textContent('#memory'), 'no shared memory');
    assert.equal(await page.isVisible('#isolation-notice'), true);
    const notice = await page.textContent('#isolation-notice');
    assert.match(notice, /Cross-Origin-Opener-Policy: same-origin/);
    assert.match(notice, /Cross-Origin-Embedder-Policy: require-corp/);
    // 60 steps: past the first plateau near ln(10), whatever the machine's speed.
    await trainUntil(page, () => Number(document.querySelector('#step').textContent.replace(/,/g, '')) >= 60 && window.demoLosses.length >= 2);
    const losses = await page.evaluate(() => window.demoLosses);
    assert.ok(losses.at(-1) < losses[0], `loss did not fall: ${losses.join(', ')}`);
    await page.screenshot({ path: 'test-artifacts/demo-not-isolated.png' });
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});
