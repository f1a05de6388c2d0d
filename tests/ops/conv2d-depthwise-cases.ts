// Depthwise conv cases shared by conv2d-depthwise.test.ts and its relaxed-build
// child: [name, x shape, w shape, options]. They cover the vector loops (rows
// of 40+ columns), the scalar edges (padding, odd widths), strides 1, 2 and 3,
// dilation, a channel multiplier, padding wider than the kernel and planes
// smaller than one vector.
export type DepthwiseCase = [string, number[], number[], { stride?: number; padding?: number; dilation?: number; groups: number }];

export const CASES: DepthwiseCase[] = [
  ['3x3 s1 p1', [2, 8, 9, 13], [8, 1, 3, 3], { padding: 1, groups: 8 }],
  ['3x3 s1 p1 wide', [1, 3, 7, 41], [3, 1, 3, 3], { padding: 1, groups: 3 }],
  ['3x3 s2 p1 odd', [2, 6, 11, 17], [6, 1, 3, 3], { stride: 2, padding: 1, groups: 6 }],
  ['3x3 s2 p1 even wide', [1, 5, 16, 48], [5, 1, 3, 3], { stride: 2, padding: 1, groups: 5 }],
  ['5x5 s1 p2', [1, 4, 12, 23], [4, 1, 5, 5], { padding: 2, groups: 4 }],
  ['3x3 dilation 2 p2', [2, 3, 13, 37], [3, 1, 3, 3], { padding: 2, dilation: 2, groups: 3 }],
  ['3x3 s3 no padding', [1, 3, 14, 50], [3, 1, 3, 3], { stride: 3, groups: 3 }],
  ['multiplier 2', [2, 3, 8, 21], [6, 1, 3, 3], { padding: 1, groups: 3 }],
  ['padding wider than the kernel', [1, 2, 3, 5], [2, 1, 2, 2], { padding: 3, groups: 2 }],
  ['tiny planes', [3, 4, 2, 2], [4, 1, 3, 3], { padding: 1, groups: 4 }],
  ['1x1 planes, 1x1 kernel', [2, 5, 1, 1], [5, 1, 1, 1], { groups: 5 }],
];

/** Large enough (≥ 2^15 multiply-adds) that the kernels run on every thread. */
export const THREAD_CASES: DepthwiseCase[] = [
  ['3x3 s1 p1', [3, 16, 20, 22], [16, 1, 3, 3], { padding: 1, groups: 16 }],
  ['3x3 s2 p1', [3, 12, 21, 30], [12, 1, 3, 3], { stride: 2, padding: 1, groups: 12 }],
  ['multiplier 3, 5x5', [2, 5, 17, 19], [15, 1, 5, 5], { padding: 2, groups: 5 }],
];
