// The batch norm tester (batchnorm-cases.ts: its table).
import { BN_FAMILY } from './batchnorm-cases.js';
import { testKernelFamily } from './tester.js';

testKernelFamily(BN_FAMILY);
