// The softmax tester (softmax-cases.ts: its table).
import { SOFTMAX_FAMILY } from './softmax-cases.js';
import { testKernelFamily } from './tester.js';

testKernelFamily(SOFTMAX_FAMILY);
