// A model written as a PyTorch user writes it: fields assigned in the constructor, no registerX calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.js';
import { nn } from '../../src/index.js';

beforeAll(async () => {
  await sn.init({ threads: 1 });
});
afterAll(() => sn.shutdown());

class Net extends nn.Module {
  conv1: nn.Conv2d;
  fc: nn.Linear;
  scale: sn.Tensor;
  notState: sn.Tensor;
  constructor() {
    super();
    this.conv1 = new nn.Conv2d(1, 2, 3, { bias: false });
    this.scale = nn.parameter(sn.ones([1]));
    this.notState = sn.zeros([3]); // a plain tensor attribute is not state (as in PyTorch)
    this.fc = new nn.Linear(8, 3);
  }
  forward(x: sn.Tensor): sn.Tensor {
    return this.fc.forward(sn.F.flatten(sn.F.relu(this.conv1.forward(x)), 1));
  }
}

describe('modules register what they assign', () => {
  it('sub-modules and parameters in assignment order, as PyTorch', () => {
    const net = new Net();
    expect(net.namedParameters().map(([n]) => n)).toEqual(['scale', 'conv1.weight', 'fc.weight', 'fc.bias']) // own parameters first, as named_parameters;
    expect(Object.keys(net.stateDict())).toEqual(['scale', 'conv1.weight', 'fc.weight', 'fc.bias']);
    expect(net.namedChildren().map(([n]) => n)).toEqual(['conv1', 'fc']);
    expect(net.toString()).toContain('(conv1): Conv2d');
  });

  it('trains: the optimizer sees the parameters and the loss falls', () => {
    const net = new Net();
    const opt = new sn.optim.SGD(net.parameters(), { lr: 0.1 });
    const x = sn.randn([4, 1, 4, 4], { seed: 1 });
    const y = [0, 1, 2, 1];
    const losses: number[] = [];
    for (let i = 0; i < 5; i++) {
      sn.tidy(() => {
        opt.zeroGrad();
        const loss = sn.F.crossEntropy(net.forward(x), y);
        loss.backward();
        opt.step();
        losses.push(loss.item());
      });
    }
    expect(losses[4]).toBeLessThan(losses[0]);
  });

  it('reassigning a registered name replaces it in place (fine-tuning a head)', () => {
    const net = new Net();
    net.fc = new nn.Linear(8, 5);
    expect(net.namedParameters().map(([n, t]) => `${n}:${t.shape.join('x')}`)).toEqual(['scale:1', 'conv1.weight:2x1x3x3', 'fc.weight:5x8', 'fc.bias:5']);
    const m = sn.models.resnet18({ numClasses: 10 });
    const before = m.namedParameters().length;
    (m as unknown as { fc: nn.Linear }).fc = new nn.Linear(512, 4);
    expect(m.namedParameters().length).toBe(before);
    expect(m.stateDict()['fc.weight'].shape).toEqual([4, 512]);
  });

  it('registerModule and assignment mix; train()/eval() reach assigned children', () => {
    class Mixed extends nn.Module {
      a: nn.Linear;
      b: nn.Dropout;
      constructor() {
        super();
        this.a = this.registerModule('first', new nn.Linear(2, 2));
        this.b = new nn.Dropout(0.5);
      }
      forward(x: sn.Tensor) {
        return this.b.forward(this.a.forward(x));
      }
    }
    const m = new Mixed();
    expect(m.namedChildren().map(([n]) => n)).toEqual(['first', 'b']);
    m.eval();
    expect(m.b.training).toBe(false);
  });

  it('a name assigned a module but registered as a buffer is an error; explicit registration order wins', () => {
    class Clash extends nn.Module {
      constructor() {
        super();
        this.registerBuffer('x', sn.zeros([1]));
        (this as unknown as { x: nn.Module }).x = new nn.ReLU();
      }
      forward(x: sn.Tensor) {
        return x;
      }
    }
    expect(() => new Clash().parameters()).toThrow(sn.SimdnnError);
    // Modules made in field initialisers and registered explicitly keep the explicit order (the zoo's LeNet5).
    class Ordered extends nn.Module {
      r = new nn.ReLU();
      constructor() {
        super();
        this.registerModule('c', new nn.Linear(1, 1));
        this.registerModule('r', this.r);
      }
      forward(x: sn.Tensor) {
        return x;
      }
    }
    expect(new Ordered().namedChildren().map(([n]) => n)).toEqual(['c', 'r']);
  });

  it('an empty parameter list explains how modules register', () => {
    class Empty extends nn.Module {
      layers = [new nn.Linear(2, 2)]; // a plain array: not registered (nn.ModuleList is)
      forward(x: sn.Tensor) {
        return x;
      }
    }
    expect(() => new sn.optim.SGD(new Empty().parameters(), { lr: 0.1 })).toThrow(/empty parameter list.*ModuleList/);
  });
});
