import { describe, expect, it } from 'vitest';
import { cli } from './cli-helpers.js';

describe('simdnn summary', () => {
  it('prints the LeNet-5 table with its totals', async () => {
    const r = await cli(['summary', 'lenet5']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^lenet5, input 1x32x32, 10 classes\n/);
    for (const layer of ['conv1', 'pool1', 'conv2', 'fc1', 'fc2', 'fc3']) expect(r.out).toContain(layer);
    const total = r.out.split('\n').find((l) => l.startsWith('total'));
    // 61,706 parameters; MACs: conv1 28·28·6·25 + conv2 10·10·16·150 + 400·120 + 120·84 + 84·10.
    expect(total).toContain('61,706');
    expect(total).toContain((117600 + 240000 + 48000 + 10080 + 840).toLocaleString('en-US'));
  });

  it('takes --input and --classes', async () => {
    const r = await cli(['summary', 'resnet18', '--input', '3,64,64', '--classes', '10']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^resnet18, input 3x64x64, 10 classes\n/);
    // torchvision's resnet18 has 11,689,512 parameters with 1000 classes; 10 classes drop 990·513.
    expect(r.out.split('\n').find((l) => l.startsWith('total'))).toContain((11689512 - 990 * 513).toLocaleString('en-US'));
  });

  it("defaults to the model's own classes (1000 for ImageNet models, as in the lecture's tables)", async () => {
    const r = await cli(['summary', 'resnet18', '--input', '3,32,32']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^resnet18, input 3x32x32, 1000 classes\n/);
    expect(r.out.split('\n').find((l) => l.startsWith('total'))).toContain('11,689,512');
  });
});
