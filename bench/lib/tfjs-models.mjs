// The zoo's architectures built from tfjs ops (NHWC), for the models benchmark:
// inference graphs with batch norm folded into the convolutions (so each conv
// is one fused conv+bias(+ReLU) kernel, the best case for tfjs-backend-wasm).
// Weights are random: only the time is measured.

export function tfjsModels(tf) {
  let seed = 1;
  const w = (shape, fanIn) => tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed++);
  const pads = (p) => (p === 0 ? 'valid' : [[0, 0], [p, p], [p, p], [0, 0]]);
  /** conv (+ folded BN bias) (+ ReLU, or `act`: e.g. 'relu6') */
  const conv = (cin, cout, k, { stride = 1, pad = 0, relu = true, act } = {}) => {
    const filter = w([k, k, cin, cout], cin * k * k);
    const bias = tf.zeros([cout]);
    return (x) => tf.fused.conv2d({ x, filter, bias, strides: stride, pad: typeof pad === 'string' ? pad : pads(pad), activation: act ?? (relu ? 'relu' : 'linear') });
  };
  /** 3x3 depthwise conv (+ folded BN bias) + ReLU6, MobileNetV2's middle layer */
  const dwconv = (c, stride) => {
    const filter = w([3, 3, c, 1], 9);
    const bias = tf.zeros([c]);
    return (x) => tf.fused.depthwiseConv2d({ x, filter, bias, strides: stride, pad: pads(1), activation: 'relu6' });
  };
  const fc = (cin, cout, relu) => {
    const W = w([cin, cout], cin);
    const bias = tf.zeros([cout]);
    return (x) => tf.fused.matMul({ a: x, b: W, bias, activation: relu ? 'relu' : 'linear' });
  };
  const flat = (x) => tf.reshape(x, [x.shape[0], -1]);

  function resnet50() {
    const stem = conv(3, 64, 7, { stride: 2, pad: 3 });
    const blocks = [];
    let cin = 64;
    for (const [planes, n, stride] of [[64, 3, 1], [128, 4, 2], [256, 6, 2], [512, 3, 2]]) {
      for (let i = 0; i < n; i++) {
        const s = i === 0 ? stride : 1;
        const c1 = conv(cin, planes, 1);
        const c2 = conv(planes, planes, 3, { stride: s, pad: 1 });
        const c3 = conv(planes, planes * 4, 1, { relu: false });
        const ds = s !== 1 || cin !== planes * 4 ? conv(cin, planes * 4, 1, { stride: s, relu: false }) : null;
        blocks.push((x) => tf.relu(tf.add(c3(c2(c1(x))), ds ? ds(x) : x)));
        cin = planes * 4;
      }
    }
    const head = fc(2048, 1000, false);
    return (x) => {
      x = tf.maxPool(stem(x), 3, 2, 'same'); // 3x3/2 pad 1: 112 -> 56, as 'same'
      for (const b of blocks) x = b(x);
      return head(flat(tf.mean(x, [1, 2], true)));
    };
  }

  function vgg16() {
    const cfg = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'];
    const layers = [];
    let c = 3;
    for (const v of cfg) {
      if (v === 'M') layers.push((x) => tf.maxPool(x, 2, 2, 'valid'));
      else {
        layers.push(conv(c, v, 3, { pad: 1 }));
        c = v;
      }
    }
    const f1 = fc(25088, 4096, true), f2 = fc(4096, 4096, true), f3 = fc(4096, 1000, false);
    return (x) => {
      for (const l of layers) x = l(x);
      return f3(f2(f1(flat(x))));
    };
  }

  function alexnet() {
    const c1 = conv(3, 64, 11, { stride: 4, pad: 2 }), c2 = conv(64, 192, 5, { pad: 2 }), c3 = conv(192, 384, 3, { pad: 1 });
    const c4 = conv(384, 256, 3, { pad: 1 }), c5 = conv(256, 256, 3, { pad: 1 });
    const f1 = fc(9216, 4096, true), f2 = fc(4096, 4096, true), f3 = fc(4096, 1000, false);
    const pool = (x) => tf.maxPool(x, 3, 2, 'valid');
    return (x) => f3(f2(f1(flat(pool(c5(c4(c3(pool(c2(pool(c1(x))))))))))));
  }

  function googlenet() {
    // torchvision's layout; its ceil-mode 3x3/2 pools give the same sizes as 'same' padding here.
    const inception = (cin, c1, r3, c3, r5, c5, pp) => {
      const b1 = conv(cin, c1, 1);
      const b2a = conv(cin, r3, 1), b2b = conv(r3, c3, 3, { pad: 1 });
      const b3a = conv(cin, r5, 1), b3b = conv(r5, c5, 3, { pad: 1 });
      const b4 = conv(cin, pp, 1);
      return (x) => tf.concat([b1(x), b2b(b2a(x)), b3b(b3a(x)), b4(tf.maxPool(x, 3, 1, 'same'))], 3);
    };
    const conv1 = conv(3, 64, 7, { stride: 2, pad: 3 }), conv2 = conv(64, 64, 1), conv3 = conv(64, 192, 3, { pad: 1 });
    const i3 = [inception(192, 64, 96, 128, 16, 32, 32), inception(256, 128, 128, 192, 32, 96, 64)];
    const i4 = [inception(480, 192, 96, 208, 16, 48, 64), inception(512, 160, 112, 224, 24, 64, 64), inception(512, 128, 128, 256, 24, 64, 64),
      inception(512, 112, 144, 288, 32, 64, 64), inception(528, 256, 160, 320, 32, 128, 128)];
    const i5 = [inception(832, 256, 160, 320, 32, 128, 128), inception(832, 384, 192, 384, 48, 128, 128)];
    const head = fc(1024, 1000, false);
    const pool = (x) => tf.maxPool(x, 3, 2, 'same');
    return (x) => {
      x = pool(conv3(conv2(pool(conv1(x)))));
      for (const b of i3) x = b(x);
      x = pool(x);
      for (const b of i4) x = b(x);
      x = tf.maxPool(x, 2, 2, 'valid');
      for (const b of i5) x = b(x);
      return head(flat(tf.mean(x, [1, 2], true)));
    };
  }

  function resnet18() {
    const stem = conv(3, 64, 7, { stride: 2, pad: 3 });
    const blocks = [];
    let cin = 64;
    for (const [planes, stride] of [[64, 1], [128, 2], [256, 2], [512, 2]]) {
      for (let i = 0; i < 2; i++) {
        const s = i === 0 ? stride : 1;
        const c1 = conv(cin, planes, 3, { stride: s, pad: 1 });
        const c2 = conv(planes, planes, 3, { pad: 1, relu: false });
        const ds = s !== 1 || cin !== planes ? conv(cin, planes, 1, { stride: s, relu: false }) : null;
        blocks.push((x) => tf.relu(tf.add(c2(c1(x)), ds ? ds(x) : x)));
        cin = planes;
      }
    }
    const head = fc(512, 1000, false);
    return (x) => {
      x = tf.maxPool(stem(x), 3, 2, 'same');
      for (const b of blocks) x = b(x);
      return head(flat(tf.mean(x, [1, 2], true)));
    };
  }

  // torchvision's squeezenet1_1: its ceil-mode 3x3/2 pools give the same sizes as 'valid' here (111 -> 55 -> 27 -> 13).
  function squeezenet1_1() {
    const fire = (cin, sq, e1, e3) => {
      const s = conv(cin, sq, 1), a = conv(sq, e1, 1), b = conv(sq, e3, 3, { pad: 1 });
      return (x) => { const y = s(x); return tf.concat([a(y), b(y)], 3); };
    };
    const stem = conv(3, 64, 3, { stride: 2 });
    const pool = (x) => tf.maxPool(x, 3, 2, 'valid');
    const f = [fire(64, 16, 64, 64), fire(128, 16, 64, 64), fire(128, 32, 128, 128), fire(256, 32, 128, 128),
      fire(256, 48, 192, 192), fire(384, 48, 192, 192), fire(384, 64, 256, 256), fire(512, 64, 256, 256)];
    const head = conv(512, 1000, 1);
    return (x) => {
      x = pool(stem(x));
      x = pool(f[1](f[0](x)));
      x = pool(f[3](f[2](x)));
      for (const b of f.slice(4)) x = b(x);
      return flat(tf.mean(head(x), [1, 2], true));
    };
  }

  // torchvision's mobilenet_v2 (width 1.0): inverted residuals (expand 1x1 + ReLU6, 3x3 depthwise + ReLU6, project 1x1).
  function mobilenetV2() {
    const stem = conv(3, 32, 3, { stride: 2, pad: 1, act: 'relu6' });
    const blocks = [];
    let cin = 32;
    for (const [t, c, n, s] of [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]]) {
      for (let i = 0; i < n; i++) {
        const stride = i === 0 ? s : 1;
        const hidden = cin * t;
        const expand = t !== 1 ? conv(cin, hidden, 1, { act: 'relu6' }) : null;
        const dw = dwconv(hidden, stride);
        const project = conv(hidden, c, 1, { relu: false });
        const residual = stride === 1 && cin === c;
        blocks.push((x) => { const y = project(dw(expand ? expand(x) : x)); return residual ? tf.add(x, y) : y; });
        cin = c;
      }
    }
    const last = conv(320, 1280, 1, { act: 'relu6' });
    const head = fc(1280, 1000, false);
    return (x) => {
      x = stem(x);
      for (const b of blocks) x = b(x);
      return head(flat(tf.mean(last(x), [1, 2], true)));
    };
  }

  return { resnet50, vgg16, googlenet, alexnet, resnet18, squeezenet1_1, mobilenet_v2: mobilenetV2 };
}

/**
 * Batch-1 224x224 inference time of each named architecture (the ones tfjsModels has)
 * on tfjs-backend-wasm, timed by `timed` (a function of a call, returning ms).
 */
export async function timeTfjsWasm(names, timed) {
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url).pathname);
  await tf.setBackend('wasm');
  await tf.ready();
  const zoo = tfjsModels(tf);
  const out = {};
  for (const name of names.filter((n) => zoo[n])) {
    const f = zoo[name]();
    const x = tf.randomNormal([1, 224, 224, 3], 0, 1, 'float32', 3);
    out[name] = await timed(async () => { const y = tf.tidy(() => f(x)); await y.data(); y.dispose(); });
  }
  return out;
}
