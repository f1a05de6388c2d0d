// The demo page: UI only. simdnn itself runs in worker.ts (training, drawing
// predictions, weights) and in a short-lived second worker per zoo summary
// (so the memory a VGG-16 needed is given back when it is done).
import { TrainingChart } from './chart.js';
import { toLenetInput, toMnist28, type Gray } from './preprocess.js';
import { ZOO } from './zoo.js';
import { setupOnnxCard } from './onnx-card.js';
import type { FromWorker, Progress, ToWorker } from './protocol.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const fmt = (n: number) => n.toLocaleString('en-US');
const params = new URLSearchParams(location.search);
const threadsParam = params.get('threads');
const THREADS: number | 'auto' = threadsParam === null || threadsParam === 'auto' ? 'auto' : Number(threadsParam);
const SIMD = (params.get('simd') ?? 'auto') as 'auto' | 'baseline' | 'relaxed';
const WORKER_URL = new URL('./worker.js', import.meta.url);
const epochsParam = Number(params.get('epochs'));
const EPOCHS = Number.isInteger(epochsParam) && epochsParam > 0 ? epochsParam : undefined;

function startWorker(onMessage: (m: FromWorker) => void): Worker {
  const w = new Worker(WORKER_URL, { type: 'module' });
  w.onmessage = (e: MessageEvent<FromWorker>) => onMessage(e.data);
  w.onerror = (e) => showError(e.message);
  return w;
}
const send = (w: Worker, m: ToWorker, transfer: Transferable[] = []) => w.postMessage(m, transfer);

function showError(msg: string): void {
  const el = $('error');
  el.textContent = msg;
  el.hidden = false;
}

// --- Backend status and the isolation notice -------------------------------
if (!self.crossOriginIsolated) $('isolation-notice').hidden = false;

// --- Training ----------------------------------------------------------------
const chart = new TrainingChart($('chart'));
const trainBtn = $<HTMLButtonElement>('train');
const stopBtn = $<HTMLButtonElement>('stop');
let training = false;
let ready = false;

const trainer = startWorker((m) => {
  switch (m.type) {
    case 'ready': {
      const b = m.backend;
      $('threads').textContent = `${b.threads} thread${b.threads > 1 ? 's' : ''}`;
      $('simd').textContent = `SIMD: ${b.simd}`;
      $('memory').textContent = b.sharedMemory ? 'shared memory' : 'no shared memory';
      $('cores').textContent = `${b.cores} cores`;
      $('dataset').textContent = `${fmt(m.trainSize)} training digits, ${fmt(m.testSize)} held out`;
      document.body.dataset.ready = 'true';
      ready = true;
      $('state').textContent = 'ready: press Train';
      predictDrawing();
      trainBtn.disabled = false;
      $<HTMLButtonElement>('save').disabled = false;
      $<HTMLInputElement>('load').disabled = false;
      break;
    }
    case 'progress': onProgress(m); break;
    case 'stopped':
      training = false;
      trainBtn.disabled = false;
      trainBtn.textContent = 'Resume';
      stopBtn.disabled = true;
      $('state').textContent = m.finished ? `done: ${m.epochs} epoch${m.epochs === 1 ? '' : 's'}, ${fmt(m.step)} steps (Resume trains ${m.epochs} more)` : `stopped after ${fmt(m.step)} steps`;
      document.body.dataset.stopped = m.finished ? 'finished' : 'user';
      predictDrawing();
      break;
    case 'prediction': showPrediction(m.probs); break;
    case 'saved': download(m.bytes); break;
    case 'loaded':
      $('weights-status').textContent = `loaded ${m.tensors} tensors from ${m.name}`;
      predictDrawing();
      break;
    case 'learned': showLearned(m.confusion, m.filters); break;
    case 'loadFailed':
      // The model keeps its weights; say so beside the button (not a page-wide error banner).
      $('weights-status').textContent = `could not load ${m.name}: ${m.message.split('\n')[0]} (the model is unchanged)`;
      break;
    case 'error': showError(m.message); break;
  }
});
send(trainer, { type: 'init', threads: THREADS, simd: SIMD, digitsUrl: new URL('./digits.bin', import.meta.url).href, epochs: EPOCHS });

trainBtn.onclick = () => {
  training = true;
  trainBtn.disabled = true;
  stopBtn.disabled = false;
  $('state').textContent = 'training…';
  send(trainer, { type: 'train' });
};
stopBtn.onclick = () => {
  stopBtn.disabled = true;
  send(trainer, { type: 'stop' });
};

let reports = 0;
// The loss reports, for the browser test to read.
const losses: number[] = [];
(self as unknown as { demoLosses: number[] }).demoLosses = losses;
function onProgress(p: Progress): void {
  if (Number.isFinite(p.loss)) losses.push(p.loss);
  chart.add(p.step, p.loss, p.accuracy, p.testAccuracy);
  $('step').textContent = fmt(p.step);
  $('epoch').textContent = p.epoch.toFixed(2);
  if (Number.isFinite(p.loss)) {
    $('loss').textContent = p.loss.toFixed(3);
    $('train-acc').textContent = `${(p.accuracy * 100).toFixed(1)}%`;
    $('ips').textContent = fmt(Math.round(p.imagesPerSec));
  }
  if (p.testAccuracy !== null) {
    $('test-acc').textContent = `${(p.testAccuracy * 100).toFixed(1)}%`;
    document.body.dataset.testAccuracy = String(p.testAccuracy);
  }
  document.body.dataset.reports = String(++reports);
  // Keep the prediction of what is on the canvas up to date while the model learns.
  if (training && reports % 4 === 0) predictDrawing();
}

// --- What the model learned: confusion matrix and first-layer filters ---------
function showLearned(confusion: number[][], filters: { data: number[]; shape: number[] }): void {
  const head = `<tr><th>true \\ predicted</th>${confusion.map((_, c) => `<th>${c}</th>`).join('')}</tr>`;
  const rows = confusion.map((row, t) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    return `<tr><th>${t}</th>${row.map((v, p) => `<td class="${p === t ? 'diag' : ''}" style="background:rgba(23,190,187,${(v / total).toFixed(2)})">${v}</td>`).join('')}</tr>`;
  });
  $('confusion').innerHTML = head + rows.join('');
  // Each filter scaled by its own range, drawn 5x5 -> 40x40 pixels (gray: LeNet-5 sees one channel).
  const [n, , kh, kw] = filters.shape;
  const canvas = $<HTMLCanvasElement>('filters');
  const cell = 8, gap = 6;
  canvas.width = n * (kw * cell + gap);
  canvas.height = kh * cell;
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const per = filters.data.length / n;
  for (let f = 0; f < n; f++) {
    const w = filters.data.slice(f * per, f * per + kh * kw);
    const lo = Math.min(...w), hi = Math.max(...w);
    w.forEach((v, i) => {
      const g = Math.round((255 * (v - lo)) / (hi - lo || 1));
      ctx.fillStyle = `rgb(${g},${g},${g})`;
      ctx.fillRect(f * (kw * cell + gap) + (i % kw) * cell, Math.floor(i / kw) * cell, cell, cell);
    });
  }
  document.body.dataset.learned = 'true';
}

// --- Drawing -------------------------------------------------------------------
const pad = $<HTMLCanvasElement>('pad');
const padCtx = pad.getContext('2d', { willReadFrequently: true })!;
const preview = $<HTMLCanvasElement>('preview');
const previewCtx = preview.getContext('2d')!;
let drawn = false;

function clearPad(): void {
  padCtx.fillStyle = '#000';
  padCtx.fillRect(0, 0, pad.width, pad.height);
  previewCtx.clearRect(0, 0, 28, 28);
  drawn = false;
  $('prediction').textContent = '–';
  $('confidence').textContent = '';
  delete document.body.dataset.predicted;
  renderBars(null);
}
clearPad();
padCtx.lineCap = 'round';
padCtx.lineJoin = 'round';

let last: { x: number; y: number } | null = null;
const at = (e: PointerEvent) => {
  const r = pad.getBoundingClientRect();
  return { x: ((e.clientX - r.left) * pad.width) / r.width, y: ((e.clientY - r.top) * pad.height) / r.height };
};
pad.addEventListener('pointerdown', (e) => {
  pad.setPointerCapture(e.pointerId);
  last = at(e);
  stroke(last, last);
});
pad.addEventListener('pointermove', (e) => {
  if (!last) return;
  const p = at(e);
  stroke(last, p);
  last = p;
});
const endStroke = () => {
  if (!last) return;
  last = null;
  predictDrawing();
};
pad.addEventListener('pointerup', endStroke);
pad.addEventListener('pointercancel', endStroke);
$('clear').onclick = clearPad;

// --- Your ONNX model (card 5): classifies the same drawing, MNIST-like 28x28 -------
setupOnnxCard({ threads: THREADS, simd: SIMD, drawnDigit: () => (drawn ? toMnist28(readPad()) : null), onError: showError });

function stroke(a: { x: number; y: number }, b: { x: number; y: number }): void {
  padCtx.strokeStyle = '#fff';
  padCtx.lineWidth = pad.width / 14;
  padCtx.beginPath();
  padCtx.moveTo(a.x, a.y);
  padCtx.lineTo(b.x, b.y);
  padCtx.stroke();
  drawn = true;
}

function readPad(): Gray {
  const { data, width, height } = padCtx.getImageData(0, 0, pad.width, pad.height);
  const g = new Float32Array(width * height);
  for (let i = 0; i < g.length; i++) g[i] = data[i * 4] / 255;
  return { data: g, width, height };
}

function predictDrawing(): void {
  if (!drawn || !ready) return;
  const digit = toMnist28(readPad());
  if (digit === null) return;
  const img = previewCtx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.round(digit.data[i] * 255);
    img.data.set([v, v, v, 255], i * 4);
  }
  previewCtx.putImageData(img, 0, 0);
  const input = toLenetInput(digit);
  send(trainer, { type: 'predict', input }, [input.buffer]);
}

function renderBars(probs: number[] | null): void {
  const bars = $('bars');
  bars.replaceChildren(...Array.from({ length: 10 }, (_, c) => {
    const p = probs ? probs[c] : 0;
    const row = document.createElement('div');
    row.className = 'bar';
    row.innerHTML = `<span class="digit">${c}</span><span class="track"><span class="fill"></span></span><span class="pct">${(p * 100).toFixed(1)}%</span>`;
    (row.querySelector('.fill') as HTMLElement).style.width = `${(p * 100).toFixed(1)}%`;
    return row;
  }));
}

function showPrediction(probs: number[]): void {
  let best = 0;
  for (let c = 1; c < 10; c++) if (probs[c] > probs[best]) best = c;
  $('prediction').textContent = String(best);
  $('confidence').textContent = `${(probs[best] * 100).toFixed(1)}% sure`;
  renderBars(probs);
  [...$('bars').children].forEach((row, c) => row.classList.toggle('best', c === best));
  document.body.dataset.predicted = String(best);
}

// --- Weights -----------------------------------------------------------------
let saves = 0;
$('save').onclick = () => send(trainer, { type: 'save' });
function download(bytes: Uint8Array): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  a.download = `lenet5-${$('step').textContent?.replace(/,/g, '') || '0'}steps.safetensors`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  $('weights-status').textContent = `saved ${fmt(bytes.length)} bytes (${++saves})`;
}
$<HTMLInputElement>('load').onchange = async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  const bytes = await file.arrayBuffer();
  $('weights-status').textContent = `loading ${file.name}…`;
  send(trainer, { type: 'load', bytes, name: file.name }, [bytes]);
  (e.target as HTMLInputElement).value = '';
};

// --- Model zoo ---------------------------------------------------------------
const select = $<HTMLSelectElement>('zoo-model');
for (const [key, entry] of Object.entries(ZOO)) select.add(new Option(entry.label, key));
const showBtn = $<HTMLButtonElement>('zoo-show');
showBtn.onclick = () => {
  const model = select.value;
  showBtn.disabled = true;
  $('zoo-status').textContent = `building ${ZOO[model].label} and running one forward pass…`;
  const w = startWorker((m) => {
    if (m.type === 'ready') send(w, { type: 'summary', model });
    if (m.type === 'summary' || m.type === 'error') {
      w.terminate();
      showBtn.disabled = false;
      if (m.type === 'error') {
        $('zoo-status').textContent = '';
        showError(m.message);
        return;
      }
      renderSummary(m);
    }
  });
  send(w, { type: 'init', threads: THREADS, simd: SIMD, digitsUrl: null });
};

function perImage(shape: number[]): string {
  return shape.length === 4 ? `${shape[2]}×${shape[3]}×${shape[1]}` : shape.slice(1).join('×');
}
const compact = (n: number) => n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} K` : String(n);

const bytes = (n: number) => n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`;

function renderSummary(s: Extract<FromWorker, { type: 'summary' }>): void {
  $('zoo-status').textContent = `${ZOO[s.model].label}, input ${perImage(s.inputShape)} — built and measured in ${(s.ms / 1000).toFixed(1)} s`;
  const td = (text: string, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${text}</td>`;
  const rows = [
    `<tr class="input">${td('input')}${td('')}${td(perImage(s.inputShape))}${td(compact(s.inputShape.reduce((a, b) => a * b)), 'n')}${td('0', 'n')}${td('0', 'n')}</tr>`,
    ...s.rows.map((r) => `<tr>${td(r.name)}${td(r.type)}${td(perImage(r.outputShape))}${td(r.activations ? compact(r.activations) : '–', 'n')}${td(r.params ? fmt(r.params) : '–', 'n')}${td(r.macs ? compact(r.macs) : '–', 'n')}</tr>`),
  ];
  const t = s.totals;
  $('zoo-totals').innerHTML =
    `<b>${fmt(t.params)}</b> parameters (${bytes(t.params * 4)} as float32) · ` +
    `<b>${compact(t.macs)}</b>MACs per image · <b>${compact(t.activations)}</b> activations stored (${bytes(t.activations * 4)} per image)`;
  $('zoo-table').innerHTML =
    `<thead><tr><th>layer</th><th>type</th><th>output</th><th class="n">memory</th><th class="n">params</th><th class="n">MACs</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody>` +
    `<tfoot><tr>${td('total')}${td('')}${td('')}${td(compact(t.activations), 'n')}${td(fmt(t.params), 'n')}${td(compact(t.macs), 'n')}</tr></tfoot>`;
  document.body.dataset.zoo = s.model;
}
