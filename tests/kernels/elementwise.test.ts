// The element-wise tester (elementwise-cases.ts: its table).
import { ELEMENTWISE_FAMILY } from './elementwise-cases.js';
import { testKernelFamily } from './tester.js';

testKernelFamily(ELEMENTWISE_FAMILY);
