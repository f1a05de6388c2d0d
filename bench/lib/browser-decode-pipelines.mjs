// The page side of bench/browser-decode.mjs: one AlexNet input pipeline (decode, resize the
// shorter side to 256, random 224x224 crop, random flip, PCA colour shift, normalize, batches
// of `batchSize`) three ways over the same in-memory JPEG Blobs, each timed over the batches
// after `warm` warm-up batches:
//  - simdnn: ImageBlobDataset (createImageBitmap + OffscreenCanvas in `workers` decoding
//    workers) + DataLoader's `for await` (batch b + 1 decodes while b is built): NCHW floats;
//  - tfjs: what a tfjs user writes: createImageBitmap per file, tf.browser.fromPixels,
//    tf.image.resizeBilinear, slice, reverse, add/sub/div, stack, on this thread, with the
//    next batch's createImageBitmap calls started before this batch is built (the same
//    one-batch lookahead as simdnn's): an NHWC float32 tensor;
//  - plain: createImageBitmap + a 2D canvas's getImageData on this thread, full size, no
//    resize and no augmentation (the floor: the browser's decode and read-back alone).
import * as sn from '../../dist/index.js';
import * as tf from '../../.bench/tfjs-browser.mjs';

const { data } = sn;
const MEAN = [0.485, 0.456, 0.406], STD = [0.229, 0.224, 0.225];
// A fixed covariance stands in for PcaColorAugment.fit (as bench/lib/alexnet-folder-pipeline.mjs).
const pca = new data.PcaColorAugment([0.066, 0.058, 0.051, 0.058, 0.061, 0.059, 0.051, 0.059, 0.069]);

/** Fetches the photos once into Blobs (a folder's Files are Blobs too): decoding is timed, not the transfer. */
export async function loadBlobs(urls) {
  return Promise.all(urls.map(async (u) => {
    const r = await fetch(u);
    if (!r.ok) throw new Error(`${u}: HTTP ${r.status}`);
    return new Blob([await r.arrayBuffer()], { type: u.endsWith('.png') ? 'image/png' : 'image/jpeg' });
  }));
}

/** Runs `next(b)` for each batch b; images/s over the batches after the first `warm`. */
async function timeBatches(batches, warm, next) {
  let t0 = performance.now(), images = 0;
  for (let b = 0; b < batches; b++) {
    if (b === warm) t0 = performance.now();
    const n = await next(b);
    if (b >= warm) images += n;
  }
  const ms = performance.now() - t0;
  return { images, ms, ips: (images / ms) * 1000 };
}

export async function simdnnPipeline(blobs, { workers, batchSize, warm }) {
  const ds = new data.ImageBlobDataset(blobs.map((source, i) => ({ source, label: i % 4, name: `photo ${i}` })), { resize: 256, workers });
  const transform = (img, rng) => {
    const crop = data.horizontalFlip(data.randomCrop(img, 224, { rng }), { rng });
    return data.normalize(pca.apply(crop, { rng }), MEAN, STD);
  };
  const loader = new data.DataLoader(ds, { batchSize, shuffle: true, seed: 1, transform, dropLast: true });
  const it = loader.batchesAsync(0);
  let shape = null;
  try {
    const r = await timeBatches(loader.length, warm, async () => {
      const { value } = await it.next();
      shape = value.shape;
      return value.size;
    });
    return { ...r, shape };
  } finally {
    await it.return();
    ds.close();
  }
}

/** A seeded uniform [0, 1) (the peers' crops, flips and PCA draws; simdnn's come from the DataLoader). */
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
}

/** The batches' Blobs in a shuffled order (all pipelines read each photo once per epoch). */
function batchesOf(blobs, batchSize, seed) {
  const order = [...blobs.keys()], u = rng(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return Array.from({ length: Math.floor(blobs.length / batchSize) }, (_, b) => order.slice(b * batchSize, (b + 1) * batchSize).map((i) => blobs[i]));
}

export async function tfjsPipeline(blobs, { backend, batchSize, warm }) {
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} did not start`);
  await tf.ready();
  const groups = batchesOf(blobs, batchSize, 1), u = rng(2);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const { eigenvalues: val, eigenvectors: vec } = pca;
  const mean = tf.tensor1d(MEAN), std = tf.tensor1d(STD);
  const augment = (bitmap) => {
    const H = bitmap.height, W = bitmap.width;
    const [h, w] = H <= W ? [256, Math.floor((256 * W) / H)] : [Math.floor((256 * H) / W), 256];
    const y = Math.floor(u() * (h - 224 + 1)), x = Math.floor(u() * (w - 224 + 1)), flip = u() < 0.5;
    // AlexNet's PCA shift: sum over j of eigenvector j * alpha_j * eigenvalue j, alpha_j ~ N(0, 0.1), in [0, 1] units.
    const alpha = [0, 1, 2].map(() => 0.1 * gauss());
    const shift = [0, 1, 2].map((c) => vec[3 * c] * alpha[0] * val[0] + vec[3 * c + 1] * alpha[1] * val[1] + vec[3 * c + 2] * alpha[2] * val[2]);
    const resized = tf.image.resizeBilinear(tf.browser.fromPixels(bitmap), [h, w]);
    bitmap.close();
    let crop = tf.slice(resized, [y, x, 0], [224, 224, 3]);
    if (flip) crop = tf.reverse(crop, 1);
    return tf.div(tf.sub(tf.add(tf.div(crop, 255), tf.tensor1d(shift)), mean), std);
  };
  const decode = (group) => Promise.all(group.map((b) => createImageBitmap(b)));
  let next = decode(groups[0]), shape = null;
  try {
    return { ...(await timeBatches(groups.length, warm, async (b) => {
      const bitmaps = await next;
      if (b + 1 < groups.length) next = decode(groups[b + 1]);
      const batch = tf.tidy(() => tf.stack(bitmaps.map(augment)));
      shape = batch.shape;
      batch.dispose();
      return bitmaps.length;
    })), shape, threads: backend === 'wasm' ? tf.getThreadsCount() : 1 };
  } finally {
    mean.dispose();
    std.dispose();
  }
}

export async function plainPipeline(blobs, { batchSize, warm }) {
  const groups = batchesOf(blobs, batchSize, 1);
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const decode = (group) => Promise.all(group.map((b) => createImageBitmap(b)));
  let next = decode(groups[0]), shape = null;
  return { ...(await timeBatches(groups.length, warm, async (b) => {
    const bitmaps = await next;
    if (b + 1 < groups.length) next = decode(groups[b + 1]);
    for (const bm of bitmaps) {
      if (canvas.width !== bm.width || canvas.height !== bm.height) [canvas.width, canvas.height] = [bm.width, bm.height];
      ctx.drawImage(bm, 0, 0);
      const px = ctx.getImageData(0, 0, bm.width, bm.height);
      shape = [bitmaps.length, px.height, px.width, 4];
      bm.close();
    }
    return bitmaps.length;
  })), shape };
}
