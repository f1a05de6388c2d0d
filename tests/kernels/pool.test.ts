// The pooling tester (pool-cases.ts: its table).
import { testKernelFamily } from './tester.js';
import { POOL_FAMILY } from './pool-cases.js';

testKernelFamily(POOL_FAMILY);
