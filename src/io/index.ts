// `sn.io`: weights in the safetensors format, with torchvision's key names.
export { loadSafetensors, saveSafetensors } from './safetensors.js';
export type { StateDict } from './safetensors.js';
