// The LRN tester (lrn-cases.ts: its table).
import { LRN_FAMILY } from './lrn-cases.js';
import { testKernelFamily } from './tester.js';

testKernelFamily(LRN_FAMILY);
