// The demo as a new user meets it on a 400 px wide phone and on the details the
// issue lists: no horizontal overflow before and after a zoo table, the status
// line says when the page is ready, Clear clears the "NN% sure", a file that is
// not safetensors is reported beside the Load button (no page-wide banner), and
// training stops by itself after its epochs (?epochs=1 here), and the page
// shows the held-out confusion matrix and conv1's filters.
// Screenshots: test-artifacts/demo-phone-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { overflow, startBrowser } from './lib.mjs';

let env;
before(async () => {
  mkdirSync('test-artifacts', { recursive: true });
  env = await startBrowser({ plain: false });
});
after(async () => {
  await env?.close();
});

test('a 400 px phone: nothing wider than the screen, before and after the ResNet-18 table', async () => {
  const page = await env.browser.context.newPage();
  await page.setViewportSize({ width: 400, height: 800 });
  try {
    await page.goto(`${env.url(true)}/demo/`);
    await page.waitForSelector('body[data-ready=true]', { timeout: 60_000 });
    assert.deepEqual(await overflow(page), { vw: 400, page: 0, cards: 0 });
    await page.selectOption('#zoo-model', 'resnet18');
    await page.click('#zoo-show');
    await page.waitForSelector('body[data-zoo=resnet18]', { timeout: 60_000 });
    await page.screenshot({ path: 'test-artifacts/demo-phone-zoo.png', fullPage: true });
    assert.deepEqual(await overflow(page), { vw: 400, page: 0, cards: 0 });
  } finally {
    await page.close();
  }
});

test('status, Clear, a wrong weights file, and training that ends by itself', async () => {
  const page = await env.browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 1000 });
  try {
    await page.goto(`${env.url(true)}/demo/?epochs=1`);
    await page.waitForSelector('body[data-ready=true]', { timeout: 60_000 });
    assert.equal(await page.textContent('#state'), 'ready: press Train');

    // Draw a stroke, wait for the prediction, then Clear: no prediction, no "% sure" left.
    const box = await page.locator('#pad').boundingBox();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.8, { steps: 8 });
    await page.mouse.up();
    await page.waitForSelector('body[data-predicted]');
    assert.match(await page.textContent('#confidence'), /% sure$/);
    await page.click('#clear');
    assert.equal(await page.textContent('#confidence'), '');
    assert.equal(await page.textContent('#prediction'), '–');

    // Not a safetensors file: the status says so, no banner at the top.
    const dir = mkdtempSync(join(tmpdir(), 'simdnn-demo-'));
    writeFileSync(join(dir, 'notes.safetensors'), 'hello, not a safetensors file');
    await page.setInputFiles('#load', join(dir, 'notes.safetensors'));
    await page.waitForFunction(() => /could not load/.test(document.querySelector('#weights-status').textContent));
    assert.match(await page.textContent('#weights-status'), /^could not load notes\.safetensors: .+ \(the model is unchanged\)$/);
    assert.equal(await page.isVisible('#error'), false);

    // One epoch, then it stops on its own.
    await page.click('#train');
    await page.waitForSelector('body[data-stopped=finished]', { timeout: 120_000 });
    assert.match(await page.textContent('#state'), /^done: 1 epoch, 125 steps/);
    assert.equal(await page.textContent('#train'), 'Resume');
    assert.equal(await page.isDisabled('#stop'), true);

    // What it learned: the held-out confusion matrix (10x10, 2,000 digits) and conv1's six filters.
    await page.waitForSelector('body[data-learned=true]');
    const learned = await page.evaluate(() => ({
      rows: [...document.querySelectorAll('#confusion tr')].slice(1).map((tr) => tr.querySelectorAll('td').length),
      total: [...document.querySelectorAll('#confusion td')].reduce((s, td) => s + Number(td.textContent), 0),
      filters: [document.querySelector('#filters').width, document.querySelector('#filters').height],
    }));
    assert.deepEqual(learned, { rows: new Array(10).fill(10), total: 2000, filters: [6 * (5 * 8 + 6), 40] });
    await page.screenshot({ path: 'test-artifacts/demo-learned.png', fullPage: true });
  } finally {
    await page.close();
  }
});
