import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { Module, Sequential } from '../../src/nn/module.js';
import type { Tensor } from '../../src/tensor.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

/** A tiny layer: y = x·Wᵀ + b, with a counter buffer. */
class Affine extends Module {
  static override readonly typeName = 'Affine';
  weight: Tensor;
  bias: Tensor;
  calls: Tensor;
  constructor(inF: number, outF: number, start = 0) {
    super();
    const w = new Float32Array(inF * outF).map((_, i) => start + i);
    this.weight = this.registerParameter('weight', sn.tensor(w, [outF, inF]))!;
    this.bias = this.registerParameter('bias', sn.zeros([outF]))!;
    this.calls = this.registerBuffer('calls', sn.zeros([]))!;
  }
  forward(x: Tensor): Tensor {
    this.calls.view()[0] += 1;
    return sn.F.linear(x, this.weight, this.bias);
  }
}

class Net extends Module {
  static override readonly typeName = 'Net';
  body = this.registerModule('body', new Sequential(new Affine(2, 3), new Affine(3, 2, 10)));
  head = this.registerModule('head', new Affine(2, 1, 100));
  forward(x: Tensor): Tensor {
    return this.head.forward(this.body.forward(x));
  }
}

describe('nn.Module', () => {
  it('names parameters and buffers with dots in registration order, like state_dict keys', () => {
    const net = new Net();
    expect(net.namedParameters().map(([n]) => n)).toEqual(['body.0.weight', 'body.0.bias', 'body.1.weight', 'body.1.bias', 'head.weight', 'head.bias']);
    expect(net.namedBuffers().map(([n]) => n)).toEqual(['body.0.calls', 'body.1.calls', 'head.calls']);
    expect(Object.keys(net.stateDict())).toEqual([
      'body.0.weight', 'body.0.bias', 'body.0.calls', 'body.1.weight', 'body.1.bias', 'body.1.calls', 'head.weight', 'head.bias', 'head.calls',
    ]);
    expect(net.parameters().every((p) => p.requiresGrad)).toBe(true);
    expect(net.buffers().some((b) => b.requiresGrad)).toBe(false);
    expect(net.namedModules().map(([n, m]) => `${n}:${m.typeName}`)).toEqual([':Net', 'body:Sequential', 'body.0:Affine', 'body.1:Affine', 'head:Affine']);
    expect(net.children().length).toBe(2);
  });

  it('lists a shared parameter once', () => {
    const a = new Affine(2, 2);
    const seq = new Sequential(a, a);
    expect(seq.parameters().length).toBe(2);
  });

  it('runs forward through hooks and walks with apply in PyTorch order', () => {
    const net = new Net();
    const seen: string[] = [];
    const names = new Map(net.namedModules().map(([n, m]) => [m, n]));
    const handles = net.modules().map((m) => m.registerForwardHook((mod, _in, out) => seen.push(`${names.get(mod)}:${(out as Tensor).shape}`)));
    const y = net.forward(sn.tensor([1, 2], [1, 2]));
    expect(y.shape).toEqual([1, 1]);
    expect(seen).toEqual(['body.0:1,3', 'body.1:1,2', 'body:1,2', 'head:1,1', ':1,1']);
    for (const h of handles) h.remove();
    net.forward(sn.tensor([1, 2], [1, 2]));
    expect(seen.length).toBe(5);
    const order: string[] = [];
    net.apply((m) => order.push(names.get(m)!));
    expect(order).toEqual(['body.0', 'body.1', 'body', 'head', '']);
  });

  it('switches train/eval recursively', () => {
    const net = new Net();
    expect(net.modules().every((m) => m.training)).toBe(true);
    net.eval();
    expect(net.modules().some((m) => m.training)).toBe(false);
    net.train();
    expect(net.modules().every((m) => m.training)).toBe(true);
  });

  it('stateDict returns copies and loadStateDict copies values in place', () => {
    const a = new Net();
    const b = new Net();
    const sd = a.stateDict();
    a.parameters()[0].view()[0] = 42;
    expect(sd['body.0.weight'].toFloat32Array()[0]).toBe(0);
    sd['head.weight'].view()[1] = -7;
    const before = b.parameters()[4];
    b.loadStateDict(sd);
    expect(b.parameters()[4]).toBe(before); // same tensor object, new values
    expect(Array.from(b.parameters()[4].toFloat32Array())).toEqual([100, -7]);
  });

  it('loadStateDict checks names and shapes and writes nothing on failure', () => {
    const net = new Net();
    const good = new Net().stateDict();
    good['head.bias'].view()[0] = 5;
    const wrongShape = { ...good, 'body.1.weight': sn.zeros([3, 2]) };
    expect(() => net.loadStateDict(wrongShape)).toThrow(/loadStateDict: 'body.1.weight' has shape \[3,2\] but the model's is \[2,3\]/);
    expect(net.namedParameters().find(([n]) => n === 'head.bias')![1].toFloat32Array()[0]).toBe(0);
    const missing = { ...good };
    delete missing['head.calls'];
    expect(() => net.loadStateDict(missing)).toThrow(/missing keys 'head.calls'/);
    expect(() => net.loadStateDict({ ...good, extra: sn.zeros([1]) })).toThrow(/unexpected keys 'extra'/);
    const r = net.loadStateDict({ 'head.bias': good['head.bias'], extra: sn.zeros([1]) }, { strict: false });
    expect(r.unexpectedKeys).toEqual(['extra']);
    expect(r.missingKeys.length).toBe(8);
    expect(net.namedParameters().find(([n]) => n === 'head.bias')![1].toFloat32Array()[0]).toBe(5);
    expect(() => net.loadStateDict({ ...good, 'head.bias': [1] as unknown as Tensor })).toThrow(/'head.bias' must be a Tensor/);
  });

  it('parameters survive a tidy scope; temporaries do not', () => {
    let kept: Net | null = null;
    let tmp: Tensor | null = null;
    sn.tidy(() => {
      kept = new Net();
      tmp = kept.forward(sn.tensor([1, 2], [1, 2]));
    });
    expect(tmp!.isDisposed).toBe(true);
    expect(kept!.parameters().every((p) => !p.isDisposed)).toBe(true);
    expect(kept!.buffers().every((p) => !p.isDisposed)).toBe(true);
  });

  it('names a user class without typeName by its class name', () => {
    class Plain extends Module {
      forward(x: Tensor) { return x; }
    }
    expect(new Plain().typeName).toBe('Plain');
    expect(new Sequential().typeName).toBe('Sequential');
  });

  it('rejects duplicate and dotted names', () => {
    class Bad extends Module {
      forward(x: Tensor) { return x; }
      constructor(name: string) {
        super();
        this.registerParameter('w', sn.zeros([1]));
        this.registerBuffer(name, sn.zeros([1]));
      }
    }
    expect(() => new Bad('w')).toThrow(/'w' is already registered/);
    expect(() => new Bad('a.b')).toThrow(/without '\.'/);
  });

  it('Sequential chains its modules and names them by index', () => {
    const seq = new Sequential(new Affine(2, 3), new Affine(3, 1));
    expect(seq.length).toBe(2);
    const y = seq.forward(sn.tensor([1, 1], [1, 2]));
    // first: W=[[0,1],[2,3],[4,5]] -> [1,5,9]; second: W=[[0,1,2]] -> 5+18 = 23
    expect(Array.from(y.toFloat32Array())).toEqual([23]);
    expect(() => seq.at(2)).toThrow(/index 2 is out of range/);
  });

  it('zeroGrad releases the gradients, as the optimizers do', () => {
    const lin = new sn.nn.Linear(3, 2);
    sn.F.linear(sn.ones([1, 3]), lin.weight, lin.bias).backward(sn.ones([1, 2]));
    const grads = lin.parameters().map((p) => p.grad!);
    expect(grads.every((g) => g !== null && !g.isDisposed)).toBe(true);
    lin.zeroGrad();
    expect(lin.parameters().every((p) => p.grad === null)).toBe(true);
    expect(grads.every((g) => g.isDisposed)).toBe(true);
    lin.zeroGrad(); // no gradients: nothing to do
  });
});
