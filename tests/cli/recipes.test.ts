import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { bitsEqual } from '../helpers.js';
import { cli, tempDir } from './cli-helpers.js';
import { recipeTrainTransform, scaledPipeline } from '../../src/cli/recipes.js';
import { Rng } from '../../src/random.js';

const sharp = createRequire(import.meta.url)('sharp');

/** DIR/train/<a|b>/ 4 JPEGs each and DIR/val/<a|b>/ 2 each: 48x36 photos, a hue per class plus noise. */
async function photoFolder(root: string): Promise<void> {
  let seed = 1;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
  for (const [split, n] of [['train', 4], ['val', 2]] as const) {
    for (const [c, cls] of ['a', 'b'].entries()) {
      mkdirSync(join(root, split, cls), { recursive: true });
      for (let i = 0; i < n; i++) {
        const px = Buffer.alloc(48 * 36 * 3);
        for (let j = 0; j < 48 * 36; j++) {
          const v = 80 * rand();
          px.set([c === 0 ? 200 - v : 40 + v, 120 + v / 2, c === 0 ? 40 + v : 200 - v], 3 * j);
        }
        await sharp(px, { raw: { width: 48, height: 36, channels: 3 } }).jpeg({ quality: 90 }).toFile(join(root, split, cls, `${i}.jpg`));
      }
    }
  }
}

function tensorsOf(dir: string): Record<string, Float32Array> {
  const sd = sn.io.loadSafetensors(readFileSync(join(dir, 'checkpoint.safetensors')));
  return Object.fromEntries(Object.entries(sd).map(([k, t]) => {
    const a = t.toFloat32Array();
    t.dispose();
    return [k, a];
  }));
}

let data = '';
const dirs: string[] = [];
const dir = () => {
  const d = tempDir();
  dirs.push(d);
  return d;
};
beforeAll(async () => {
  data = dir();
  await photoFolder(data);
});
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

// Small models and 32-pixel crops keep this fast; the recipe sets everything else.
const cases: [string, string, Record<string, unknown>][] = [
  ['alexnet', 'resnet18', { lr: 0.01, momentum: 0.9, weightDecay: 5e-4, schedule: 'plateau' }],
  ['vgg', 'resnet18', { lr: 0.01, weightDecay: 5e-4, schedule: 'plateau' }],
  ['googlenet', 'googlenet', { lr: 0.01, weightDecay: 2e-4, schedule: 'step', lrStep: 8, lrGamma: 0.96 }],
  ['resnet', 'resnet18', { lr: 0.1, weightDecay: 1e-4, schedule: 'plateau' }],
];

describe('recipe pipelines', () => {
  it('scale every size with the crop, and augment differently per draw', () => {
    expect(scaledPipeline('vgg', 32)).toMatchObject({ crop: 32, decode: 73, scale: [37, 73], evalResize: 55 });
    expect(scaledPipeline('resnet', 224)).toMatchObject({ decode: 480, scale: [256, 480], evalResize: 256, pcaStd: 0.1 });
    const img = { data: Float32Array.from({ length: 3 * 73 * 90 }, (_, i) => (i % 97) / 97), channels: 3, height: 73, width: 90 };
    for (const name of ['alexnet', 'vgg', 'googlenet', 'resnet'] as const) {
      const p = { ...scaledPipeline(name, 32), pca: { covariance: [0.05, 0.01, 0, 0.01, 0.04, 0.01, 0, 0.01, 0.03], mean: [0.5, 0.5, 0.5] } };
      const t = recipeTrainTransform(p, [0.5, 0.5, 0.5], [0.25, 0.25, 0.25]);
      const a = t(img, new Rng(1)), b = t(img, new Rng(1)), c = t(img, new Rng(2));
      expect([a.channels, a.height, a.width]).toEqual([3, 32, 32]);
      expect(Array.from(a.data)).toEqual(Array.from(b.data));
      expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
    }
  });
});

describe('simdnn train --recipe', () => {
  it.each(cases)('%s: trains 2 epochs on a photo folder with its settings, and a run stopped mid-epoch resumes exactly', async (recipe, model, expected) => {
    const flags = ['train', '--recipe', recipe, '--model', model, '--crop', '32', '--data', data, '--epochs', '2', '--batch-size', '4', '--threads', '1'];
    const whole = dir(), part = dir();
    const r = await cli([...flags, '--out', whole]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${recipe} recipe (32px crops)`);
    const metrics = JSON.parse(readFileSync(join(whole, 'metrics.json'), 'utf8'));
    expect(metrics.config).toMatchObject({ recipe, model, crop: 32, epochs: 2, batchSize: 4, ...expected });
    expect(metrics.epochs).toHaveLength(2);
    const first = await cli([...flags, '--out', part], (s, signal) => {
      if (s.includes('epoch 2/2 batch 1/2')) signal.stop = true;
    });
    expect(first.code).toBe(130);
    expect((await cli(['train', '--resume', part, '--threads', '1'])).code).toBe(0);
    const a = tensorsOf(whole), b = tensorsOf(part);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const k of Object.keys(a)) expect(bitsEqual(a[k], b[k]), k).toBe(true);
    const again = JSON.parse(readFileSync(join(part, 'metrics.json'), 'utf8'));
    expect(again.epochs.map((e: Record<string, number>) => e.testLoss)).toEqual(metrics.epochs.map((e: Record<string, number>) => e.testLoss));
    // GoogLeNet trains its two auxiliary classifiers (loss weight 0.3); the checkpoint keeps them and eval runs without them.
    const auxKeys = Object.keys(a).filter((k) => k.startsWith('aux1.') || k.startsWith('aux2.'));
    expect(auxKeys.length > 0).toBe(recipe === 'googlenet');
    expect(r.out.includes("with the auxiliary classifiers' losses weighted 0.3")).toBe(recipe === 'googlenet');
    if (recipe === 'googlenet') {
      const init = sn.models.googlenet({ numClasses: 2, seed: 1, auxLogits: true }).stateDict();
      for (const k of ['aux1.fc2.weight', 'aux2.fc2.weight']) expect(bitsEqual(init[k].toFloat32Array(), a[k]), k).toBe(false);
      const ev = await cli(['eval', '--checkpoint', whole, '--threads', '1']);
      expect([ev.code, ev.err]).toEqual([0, '']);
      expect(ev.out).toContain(`loss ${metrics.epochs[1].testLoss.toFixed(4)}`);
    }
  }, 120_000);

  it('eval --ten-crop and --multi-scale average the softmax over the views; one view is the plain evaluation', async () => {
    const out = dir();
    expect((await cli(['train', '--recipe', 'alexnet', '--model', 'resnet18', '--crop', '32', '--data', data, '--epochs', '1', '--batch-size', '8', '--threads', '1', '--out', out])).code).toBe(0);
    const plain = await cli(['eval', '--checkpoint', out, '--threads', '1']);
    const ten = await cli(['eval', '--checkpoint', out, '--ten-crop', '--threads', '1']);
    const multi = await cli(['eval', '--checkpoint', out, '--multi-scale', '--ten-crop', '--threads', '1']);
    for (const r of [plain, ten, multi]) expect([r.code, r.err]).toEqual([0, '']);
    expect(ten.out).toContain('4 held-out images, softmax averaged over ten crops at scale 37)');
    expect(multi.out).toContain('softmax averaged over ten crops at scales 37, 55, 73)');
    // One view per image (the centre crop at the evaluation size) gives the plain evaluation's numbers.
    const { loadModel } = await import('../../src/cli/load-model.js');
    const { evaluate, evaluateViews } = await import('../../src/cli/evaluate.js');
    const { evalTransform } = await import('../../src/cli/preprocess.js');
    const { ImageFolderDataset } = await import('../../src/data/node/image-folder.js');
    const m = loadModel(out, undefined);
    const test = new ImageFolderDataset(join(data, 'val'), { resize: 37 });
    const a = await evaluate(m.model, test, m.preprocess, 3);
    const one = evalTransform(m.preprocess);
    const b = await evaluateViews(m.model, test, (img) => [one(img)], 3);
    expect(b.accuracy).toBe(a.accuracy);
    expect(b.loss).toBeCloseTo(a.loss, 5);
    m.model.dispose();
  }, 60_000);

  it('an option given with --recipe overrides it; --crop without a recipe is an error', async () => {
    const out = dir();
    const r = await cli(['train', '--recipe', 'resnet', '--model', 'resnet18', '--crop', '32', '--lr', '0.05', '--schedule', 'none', '--data', data, '--epochs', '1', '--batch-size', '8', '--threads', '1', '--out', out]);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')).config).toMatchObject({ lr: 0.05, schedule: 'none', weightDecay: 1e-4 });
    const bad = await cli(['train', '--crop', '32', '--data', data, '--threads', '1', '--out', dir()]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--crop is for --recipe');
  }, 60_000);
});
