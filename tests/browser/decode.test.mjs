// Headless Chromium: sn.data.decodeImageBlob and ImageBlobDataset (createImageBitmap
// + OffscreenCanvas, in a decoding worker) give the pixels PIL gives for the
// committed photos (tests/fixtures/data/photos.json, scripts/fixtures/images.py):
// PNG exactly (translucent pixels too), JPEG within one level; a corrupt or truncated file is
// a one-line error naming it. Needs dist/index.js: run through `npm run test:browser`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCheckPage, startBrowser } from './lib.mjs';

const DIR = 'tests/fixtures/data/photos';
const FX = JSON.parse(readFileSync('tests/fixtures/data/photos.json', 'utf8'));

let env;
before(async () => {
  env = await startBrowser({ plain: false });
});
after(async () => {
  await env?.close();
});

/** Largest |ours − PIL| in levels; ours is CHW, PIL's HWC. */
function maxDiff(ours, pil) {
  const [C, H, W] = ours.shape;
  let max = 0;
  for (let i = 0; i < H * W; i++) {
    for (let c = 0; c < C; c++) max = Math.max(max, Math.abs(ours.px[c * H * W + i] - pil[C * i + c]));
  }
  return max;
}

test('decodeImageBlob: PIL\'s pixels (PNG exact, JPEG within one level), RGB and gray', async () => {
  const page = await openCheckPage(env.browser, `${env.url(true)}/tests/browser/decode-page.html`);
  try {
    const got = await page.evaluate((files) => window.decodeUrls(files), FX.cases.map((c) => c.file));
    for (const [k, c] of FX.cases.entries()) {
      const r = got[k];
      assert.equal(r.rgb.error, undefined, `${c.file}: ${r.rgb.error}`);
      assert.deepEqual(r.rgb.shape, [3, c.height, c.width], c.file);
      assert.deepEqual(r.gray.shape, [1, c.height, c.width], c.file);
      const tol = c.format === 'jpeg' ? 1 : 0;
      // rgba.png too (translucent, alpha 7..255): through ImageDecoder, not a canvas that premultiplies.
      assert.ok(maxDiff(r.rgb, c.rgb) <= tol, `${c.file} RGB: ${maxDiff(r.rgb, c.rgb)} levels from PIL`);
      assert.ok(maxDiff(r.gray, c.gray) <= tol, `${c.file} gray: ${maxDiff(r.gray, c.gray)} levels from PIL`);
    }
  } finally {
    await page.close();
  }
});

test('a truncated JPEG, a damaged PNG, a text file, a missing URL: one-line errors naming the file', async () => {
  const page = await openCheckPage(env.browser, `${env.url(true)}/tests/browser/decode-page.html`);
  try {
    const got = await page.evaluate(() => window.decodeUrls(['truncated.jpg', 'corrupt.png', '../folder/cat/notes.txt', 'nope.jpg']));
    const [jpg, png, txt, missing] = got.map((r) => r.rgb);
    assert.equal(missing.error, 'readImage: nope.jpg: cannot fetch (HTTP 404)');
    assert.match(jpg.error, /^readImage: truncated\.jpg: corrupt JPEG \(.+\)$/);
    assert.match(png.error, /^readImage: corrupt\.png: corrupt PNG \(.+\)$/);
    assert.match(txt.error, /^readImage: \.\.\/folder\/cat\/notes\.txt: not an image this browser decodes \(starts with .+\)$/);
    for (const r of [jpg, png, txt]) {
      assert.equal(r.name, 'SimdnnError');
      assert.ok(!r.error.includes('\n'), r.error);
    }
  } finally {
    await page.close();
  }
});

test('ImageBlobDataset: files from a file input, decoded in a worker, batched by for await; get before prepare says why', async () => {
  const page = await openCheckPage(env.browser, `${env.url(true)}/tests/browser/decode-page.html`);
  try {
    const files = ['photo420.jpg', 'rgb.png', 'gray.jpg', 'rgba.png'];
    await page.setInputFiles('#files', files.map((f) => join(DIR, f)));
    const r = await page.evaluate(() => window.datasetFromInput({ resize: [12, 16] }));
    assert.equal(r.error, null);
    assert.equal(r.workers, 1);
    assert.match(r.notPrepared, /^ImageBlobDataset: image 0 \(photo420\.jpg\) is not decoded yet: .*for await/);
    assert.deepEqual(r.batches.map((b) => [b.shape, b.y]), [[[2, 3, 12, 16], [0, 1]], [[2, 3, 12, 16], [2, 3]]]);
    // The same pixels as decodeImageBlob of the same file on the page's thread.
    const single = await page.evaluate((f) => window.decodeUrls(f, { resize: [12, 16] }), files);
    const per = 3 * 12 * 16;
    single.forEach((s, k) => assert.deepEqual(r.batches[k >> 1].px.slice((k & 1) * per, ((k & 1) + 1) * per), s.rgb.px, files[k]));

    // A corrupt file among them: the batch fails naming it; with skipBadImages the next image stands in.
    await page.setInputFiles('#files', ['rgb.png', 'truncated.jpg'].map((f) => join(DIR, f)));
    const bad = await page.evaluate(() => window.datasetFromInput({ resize: 8 }));
    assert.match(bad.error, /^readImage: truncated\.jpg: corrupt JPEG/);
    const skipped = await page.evaluate(() => window.datasetFromInput({ resize: 8, skipBadImages: true }));
    assert.equal(skipped.error, null);
    assert.deepEqual(skipped.batches.map((b) => [b.shape, b.y]), [[[2, 3, 8, 10], [0, 0]]]);
  } finally {
    await page.close();
  }
});

test('ImageBlobDataset inside a worker (nested decoding worker, URLs): the same pixels as on the page', async () => {
  const page = await openCheckPage(env.browser, `${env.url(true)}/tests/browser/decode-page.html`);
  try {
    const files = ['photo444.jpg', 'palette.png'];
    // resize 9: the shorter side (torchvision's Resize(int)): 33x21 -> 14x9, 23x17 -> 12x9, which cannot share a batch.
    const single = await page.evaluate((f) => window.decodeUrls(f, { resize: 9 }), files);
    assert.deepEqual(single.map((s) => s.gray.shape), [[1, 9, 14], [1, 9, 12]]);
    const mixed = await page.evaluate((f) => window.datasetInWorker(f, { resize: 9, channels: 1 }), files);
    assert.equal(mixed.error, "DataLoader: sample 1 is [1,9,12] but the batch's first sample is [1,9,14]; resize or crop to one size");
    const same = await page.evaluate((f) => window.datasetInWorker(f, { resize: [9, 14], channels: 1 }), files);
    const exact = await page.evaluate((f) => window.decodeUrls(f, { resize: [9, 14] }), files);
    assert.equal(same.workers, 1);
    assert.deepEqual(same.batches[0].shape, [2, 1, 9, 14]);
    assert.deepEqual(same.batches[0].px, [...exact[0].gray.px, ...exact[1].gray.px]);
  } finally {
    await page.close();
  }
});

test('ImageBlobDataset.fromFolderFiles: a folder from a webkitdirectory input, as ImageFolder (classes sorted, other files ignored)', async () => {
  const page = await openCheckPage(env.browser, `${env.url(true)}/tests/browser/decode-page.html`);
  try {
    await page.setInputFiles('#folder', 'tests/fixtures/data/folder');
    const r = await page.evaluate(() => window.folderDataset({ resize: [6, 5] }));
    assert.equal(r.error, undefined, r.error);
    assert.deepEqual(r.classes, ['cat', 'dog']);
    assert.deepEqual(r.names, ['folder/cat/a.png', 'folder/cat/b.png', 'folder/dog/c.png', 'folder/dog/d.jpg']);
    assert.deepEqual(r.batches, [{ shape: [4, 3, 6, 5], y: [0, 0, 1, 1] }]);
    // Files picked one by one have no folder: said so.
    await page.setInputFiles('#files', join(DIR, 'rgb.png'));
    const flat = await page.evaluate(() => window.folderDataset({}, 'files'));
    assert.equal(flat.error, 'ImageBlobDataset.fromFolderFiles: rgb.png: not in a class folder (expected root/<class>/<image>; choose the root folder with <input type="file" webkitdirectory>)');
  } finally {
    await page.close();
  }
});

test('a decoding worker that cannot run fails each decode with its reason instead of hanging', async () => {
  const page = await openCheckPage(env.browser, `${env.url(true)}/tests/browser/decode-page.html`);
  try {
    const errors = await page.evaluate(() => window.brokenWorker());
    assert.equal(errors.length, 2);
    for (const [k, f] of ['rgb.png', 'gray.png'].entries()) assert.match(errors[k], new RegExp(`^readImage: ${f.replace('.', '\\.')}: the decoding worker failed: .*boom`));
  } finally {
    await page.close();
  }
});
