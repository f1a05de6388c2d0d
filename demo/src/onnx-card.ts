// The page's "Your ONNX model" card: open an .onnx file, show what it is, and
// classify the drawn digit or an image file with it (in onnx-worker.ts, started
// at the first file). Errors stay in the card's status line.
import type { Gray } from './preprocess.js';
import type { FromOnnxWorker, Normalization, OnnxSource, OnnxSummary, ToOnnxWorker } from './onnx-protocol.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const fmt = (n: number) => n.toLocaleString('en-US');
const sizeText = (bytes: number) => (bytes < 1 << 20 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / (1 << 20)).toFixed(1)} MB`);
const dimsText = (d: (number | null)[] | null) => (d === null ? 'no shape' : `[${d.map((v) => v ?? '?').join(', ')}]`);

/** What the browser test reads: the last classification's input, output and probabilities. */
interface DemoOnnx {
  input: number[];
  output: number[];
  probs: number[];
  batch: number;
  shape: number[];
}

export function setupOnnxCard(opts: { threads: number | 'auto'; simd: 'auto' | 'baseline' | 'relaxed'; drawnDigit: () => Gray | null; onError: (msg: string) => void }): void {
  const status = $('onnx-status');
  const classifyBtn = $<HTMLButtonElement>('onnx-classify');
  const source = $<HTMLSelectElement>('onnx-source');
  let worker: Worker | null = null;
  let workerReady: Promise<void> | null = null;
  let summary: OnnxSummary | null = null;
  let image: File | null = null;
  const say = (text: string, kind: 'ok' | 'error' | 'busy') => {
    status.textContent = text;
    status.className = kind === 'error' ? 'error-text' : 'muted';
    document.body.dataset.onnx = kind;
  };

  const send = (m: ToOnnxWorker, transfer: Transferable[] = []) => worker!.postMessage(m, transfer);
  function start(): Promise<void> {
    if (workerReady) return workerReady;
    worker = new Worker(new URL('./onnx-worker.js', import.meta.url), { type: 'module' });
    worker.onerror = (e) => opts.onError(e.message);
    workerReady = new Promise((resolve) => {
      worker!.onmessage = (e: MessageEvent<FromOnnxWorker>) => {
        if (e.data.type === 'ready') resolve();
        else onMessage(e.data);
      };
    });
    send({ type: 'init', threads: opts.threads, simd: opts.simd });
    return workerReady;
  }

  function onMessage(m: FromOnnxWorker): void {
    switch (m.type) {
      case 'opened': showSummary(m.summary); break;
      case 'openFailed':
        say(`could not open ${m.name}: ${m.message.split('\n')[0]}${summary ? ` (${summary.name} stays open)` : ''}`, 'error');
        break;
      case 'classified': showTop5(m); break;
      case 'failed': say(m.message.split('\n')[0], 'error'); break;
    }
  }

  function showSummary(s: OnnxSummary): void {
    summary = s;
    const inputs = s.inputs.map((i) => `${i.name} ${dimsText(i.dims)}`).join(', ');
    const ops = s.ops.map(([t, n]) => (n > 1 ? `${t}×${n}` : t)).join(', ');
    $('onnx-summary').innerHTML = '';
    const add = (label: string, value: string) => {
      const row = document.createElement('div');
      row.innerHTML = `<dt></dt><dd></dd>`;
      row.querySelector('dt')!.textContent = label;
      row.querySelector('dd')!.textContent = value;
      $('onnx-summary').append(row);
    };
    add('input', inputs);
    add('output', s.outputs.join(', '));
    add('nodes', `${fmt(s.nodes)} (${ops})`);
    add('parameters', `${fmt(s.params)} (${sizeText(s.params * 4)} as float32)`);
    add('opset', String(s.opset));
    $('onnx-top5').replaceChildren();
    $('onnx-seen').hidden = true;
    if ('problem' in s.feed) {
      classifyBtn.disabled = true;
      say(`opened ${s.name}, but the demo cannot feed it: ${s.feed.problem}`, 'error');
      return;
    }
    const f = s.feed;
    classifyBtn.disabled = false;
    say(`opened ${s.name}: classifies ${f.channels === 1 ? 'gray' : 'RGB'} ${f.height}×${f.width} images${f.batch > 1 ? ` (a fixed batch of ${f.batch}: the image is fed ${f.batch} times)` : ''}`, 'ok');
    document.body.dataset.onnxModel = s.name;
  }

  function showTop5(m: Extract<FromOnnxWorker, { type: 'classified' }>): void {
    const order = Array.from(m.probs.keys()).sort((a, b) => m.probs[b] - m.probs[a] || a - b).slice(0, 5);
    $('onnx-top5').replaceChildren(...order.map((c) => {
      const li = document.createElement('li');
      li.innerHTML = `<span class="cls"></span><span class="track"><span class="fill"></span></span><span class="pct"></span>`;
      li.querySelector('.cls')!.textContent = `class ${c}`;
      li.querySelector('.pct')!.textContent = `${(m.probs[c] * 100).toFixed(1)}%`;
      (li.querySelector('.fill') as HTMLElement).style.width = `${(m.probs[c] * 100).toFixed(1)}%`;
      return li;
    }));
    drawSeen(m.seen, m.feed.channels, m.feed.height, m.feed.width);
    say(`class ${order[0]}: ${(m.probs[order[0]] * 100).toFixed(1)}% (${m.softmaxed ? 'softmax of the output' : 'the output is already probabilities'})`, 'ok');
    (window as unknown as { demoOnnx: DemoOnnx }).demoOnnx = {
      input: Array.from(m.input), output: Array.from(m.output), probs: Array.from(m.probs), batch: m.feed.batch, shape: [m.feed.channels, m.feed.height, m.feed.width],
    };
    document.body.dataset.onnxClassified = String((Number(document.body.dataset.onnxClassified) || 0) + 1);
  }

  /** The image the model was given (before normalisation), scaled up for the eye. */
  function drawSeen(data: Float32Array, C: number, H: number, W: number): void {
    const canvas = $<HTMLCanvasElement>('onnx-seen');
    canvas.width = W;
    canvas.height = H;
    const ctx = canvas.getContext('2d')!;
    const img = ctx.createImageData(W, H);
    const plane = H * W;
    for (let i = 0; i < plane; i++) {
      for (let k = 0; k < 3; k++) img.data[i * 4 + k] = Math.round(255 * data[(C === 3 ? k : 0) * plane + i]);
      img.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    canvas.hidden = false;
  }

  $<HTMLInputElement>('onnx-file').onchange = async (e) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = ''; // the same file again is a new choice
    if (!file) return;
    say(`opening ${file.name}…`, 'busy');
    await start();
    const bytes = await file.arrayBuffer();
    send({ type: 'open', bytes, name: file.name }, [bytes]);
  };
  $<HTMLInputElement>('onnx-image').onchange = (e) => {
    const input = e.target as HTMLInputElement;
    image = input.files?.[0] ?? null;
    input.value = '';
    if (image) {
      source.value = 'image';
      $('onnx-image-name').textContent = image.name;
      if (!classifyBtn.disabled) classifyBtn.click();
    }
  };
  classifyBtn.onclick = () => {
    let src: OnnxSource;
    if (source.value === 'image') {
      if (!image) return say('choose an image file first', 'error');
      src = { kind: 'image', file: image };
    } else {
      const digit = opts.drawnDigit();
      if (!digit) return say('draw a digit on the pad first (card 2)', 'error');
      src = { kind: 'drawing', data: digit.data, width: digit.width, height: digit.height };
    }
    say('classifying…', 'busy');
    send({ type: 'classify', source: src, norm: $<HTMLSelectElement>('onnx-norm').value as Normalization });
  };
}
