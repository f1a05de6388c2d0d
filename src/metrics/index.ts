// `sn.metrics`: classification metrics (the CLI uses these too).
export { accuracy } from './accuracy.js';
export { confusionMatrix, precisionRecall } from './confusion.js';
