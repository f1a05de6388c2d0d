// Shared by tests/memory/*: the plain PyTorch-style training loop and memory probes.
import * as sn from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import { randomArray } from '../helpers.js';

export type Model = { forward(x: Tensor): Tensor; parameters(): Tensor[] };

/** memoryBytes and liveBytes (and the live tensor count) now. */
export function memory(): { memoryBytes: number; liveBytes: number; liveTensors: number } {
  const { memoryBytes, liveBytes, liveTensors } = sn.backendInfo();
  return { memoryBytes, liveBytes, liveTensors };
}

/** Fixed inputs and integer class targets, made before any loop. */
export function fixedBatch(shape: number[], classes: number, seed: number): { x: Tensor; y: Int32Array } {
  const n = shape.reduce((a, b) => a * b, 1);
  const x = sn.tensor(randomArray(n, seed), shape);
  const y = Int32Array.from({ length: shape[0] }, (_, i) => (i * 7 + seed) % classes);
  return { x, y };
}

/**
 * The loop a PyTorch user writes, with no tidy and no dispose:
 * zeroGrad, forward, crossEntropy, backward, step. Calls `probe(step)` after each step.
 */
export function plainLoop(model: Model, x: Tensor, y: Int32Array, steps: number, probe: (step: number, out: Tensor, loss: Tensor) => void,
  opt = new sn.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 })): void {
  for (let step = 1; step <= steps; step++) {
    opt.zeroGrad();
    const out = model.forward(x);
    const loss = sn.F.crossEntropy(out, y);
    loss.backward();
    opt.step();
    probe(step, out, loss);
  }
}

/** Memory after steps `a` and `b` of `run` (which calls its probe after every step). */
export function memoryAt(a: number, b: number, run: (probe: (step: number) => void) => void): [ReturnType<typeof memory>, ReturnType<typeof memory>] {
  const seen: ReturnType<typeof memory>[] = [];
  run((step) => {
    if (step === a || step === b) seen.push(memory());
  });
  if (seen.length !== 2) throw new Error(`the loop did not reach steps ${a} and ${b}`);
  return [seen[0], seen[1]];
}

/** A user's module: its forward calls sn.F itself, with intermediates it does not return. */
export class TinyNet extends sn.nn.Module {
  w1 = this.registerParameter('w1', sn.tensor(randomArray(72, 5).map((v) => v * 0.3), [8, 1, 3, 3]))!;
  b1 = this.registerParameter('b1', sn.zeros([8]))!;
  w2 = this.registerParameter('w2', sn.tensor(randomArray(1280, 6).map((v) => v * 0.05), [10, 8 * 4 * 4]))!;
  forward(x: Tensor): Tensor {
    const h = sn.F.relu(sn.F.conv2d(x, this.w1, this.b1, { padding: 1 }));
    const p = sn.F.maxPool2d(h, { kernelSize: 2 });
    return sn.F.linear(sn.F.flatten(p, 1), this.w2);
  }
}
