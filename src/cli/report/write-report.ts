import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../../data/dataset.js';
import { Conv2d } from '../../nn/conv.js';
import type { Module } from '../../nn/module.js';
import type { EvalResult } from '../evaluate.js';
import { reportHtml } from './html.js';
import { confusionMatrix, confusionRaster, curvesRaster, filterGrid, imageStrip, type EpochRecord } from './pictures.js';

export const REPORT_FILES = ['report.html', 'loss.png', 'accuracy.png', 'lr.png', 'confusion.png', 'filters.png', 'worst.png'];

export interface ReportInput {
  dir: string;
  title: string;
  config: Record<string, unknown>;
  history: EpochRecord[];
  classes: readonly string[];
  model: Module;
  /** The last validation pass over `test` (with per-example results), or null. */
  validation: EvalResult | null;
  test: Dataset;
  /** How many of the worst-classified validation images to show. */
  worst?: number;
}

/** The first Conv2d's weight (the filters that look at the pixels), or null. */
function firstConv(model: Module): { data: Float32Array; shape: number[] } | null {
  for (const m of model.modules()) if (m instanceof Conv2d) return { data: m.weight.toFloat32Array(), shape: [...m.weight.shape] };
  return null;
}

/**
 * Writes report.html (self-contained: pictures inline as data: URIs, no
 * scripts, nothing fetched) and the same pictures as PNG files into the run folder.
 */
export async function writeReport(r: ReportInput): Promise<string> {
  const files: Record<string, Buffer> = {
    'loss.png': curvesRaster(r.history, ['trainLoss', 'testLoss']).png(),
    'accuracy.png': curvesRaster(r.history, ['trainAccuracy', 'testAccuracy']).png(),
    'lr.png': curvesRaster(r.history, ['lr']).png(),
  };
  let confusion: number[][] | null = null;
  const worst: { png: Buffer; caption: string }[] = [];
  const ps = r.validation?.perSample;
  if (ps && ps.target.length > 0) {
    confusion = confusionMatrix(ps.target, ps.pred, r.classes.length);
    files['confusion.png'] = confusionRaster(confusion).png();
    // Misclassified first, by their loss; the report shows up to `worst` of them.
    const order = Array.from(ps.target.keys()).filter((i) => ps.pred[i] !== ps.target[i]).sort((a, b) => ps.loss[b] - ps.loss[a]).slice(0, r.worst ?? 12);
    await r.test.prepare?.(order);
    const images = order.map((i) => r.test.get(i).image);
    images.forEach((img, k) => {
      const i = order[k];
      worst.push({ png: imageStrip([img]).png(), caption: `#${i}: ${r.classes[ps.target[i]]} taken for ${r.classes[ps.pred[i]]} (loss ${ps.loss[i].toFixed(2)})` });
    });
    if (images.length) files['worst.png'] = imageStrip(images).png();
  }
  const conv = firstConv(r.model);
  let filters: { png: Buffer; shape: number[] } | null = null;
  if (conv) {
    filters = { png: filterGrid(conv.data, conv.shape).png(), shape: conv.shape };
    files['filters.png'] = filters.png;
  }
  const html = reportHtml({ title: r.title, config: r.config, history: r.history, classes: r.classes, confusion, worst, filters });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(r.dir, name), bytes);
  const path = join(r.dir, 'report.html');
  writeFileSync(path, html);
  return path;
}
