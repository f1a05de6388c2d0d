// The optimizer update tester (optim-cases.ts: its table).
import { OPTIM_FAMILY } from './optim-cases.js';
import { testKernelFamily } from './tester.js';

testKernelFamily(OPTIM_FAMILY);
