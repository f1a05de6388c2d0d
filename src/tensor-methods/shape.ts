// Tensor methods of the shape and indexing ops (docs/shape.md): x.permute(…),
// x.slice(…), … call the functions in src/ops/. permute and expand also take
// their sizes as separate numbers, as PyTorch's x.permute(0, 2, 3, 1).
import type { Tensor } from '../tensor.js';
import { flatten, squeeze, unsqueeze } from '../ops/dims.js';
import { expand } from '../ops/expand.js';
import { gather, indexSelect, scatterAdd } from '../ops/indexing.js';
import { chunk, split } from '../ops/join.js';
import { maskedFill } from '../ops/masked-fill.js';
import { permute, transpose } from '../ops/permute.js';
import { narrow, select, slice } from '../ops/slicing.js';
import { installMethods } from './install.js';

type Index = Tensor | Int32Array | number[];

declare module '../tensor.js' {
  interface Tensor {
    transpose(dim0: number, dim1: number): Tensor;
    permute(dims: number[]): Tensor;
    permute(...dims: number[]): Tensor;
    squeeze(dim?: number): Tensor;
    unsqueeze(dim: number): Tensor;
    expand(shape: number[]): Tensor;
    expand(...sizes: number[]): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    slice(dim: number, start?: number, end?: number, step?: number): Tensor;
    select(dim: number, index: number): Tensor;
    indexSelect(dim: number, index: Index): Tensor;
    gather(dim: number, index: Index): Tensor;
    scatterAdd(dim: number, index: Index, src: Tensor): Tensor;
    maskedFill(mask: Tensor, value: number): Tensor;
    split(sizeOrSizes: number | number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
  }
}

/** `[0, 2, 1]` or `0, 2, 1`. */
const sizes = (args: unknown[]): number[] => (Array.isArray(args[0]) ? args[0] : args) as number[];

installMethods({
  transpose(this: Tensor, dim0: number, dim1: number) { return transpose(this, dim0, dim1); },
  permute(this: Tensor, ...dims: never[]) { return permute(this, sizes(dims)); },
  squeeze(this: Tensor, dim?: number) { return squeeze(this, dim); },
  unsqueeze(this: Tensor, dim: number) { return unsqueeze(this, dim); },
  expand(this: Tensor, ...shape: never[]) { return expand(this, sizes(shape)); },
  flatten(this: Tensor, startDim?: number, endDim?: number) { return flatten(this, startDim, endDim); },
  narrow(this: Tensor, dim: number, start: number, length: number) { return narrow(this, dim, start, length); },
  slice(this: Tensor, dim: number, start?: number, end?: number, step?: number) { return slice(this, dim, start, end, step); },
  select(this: Tensor, dim: number, index: number) { return select(this, dim, index); },
  indexSelect(this: Tensor, dim: number, index: Index) { return indexSelect(this, dim, index); },
  gather(this: Tensor, dim: number, index: Index) { return gather(this, dim, index); },
  scatterAdd(this: Tensor, dim: number, index: Index, src: Tensor) { return scatterAdd(this, dim, index, src); },
  maskedFill(this: Tensor, mask: Tensor, value: number) { return maskedFill(this, mask, value); },
  split(this: Tensor, sizeOrSizes: number | number[], dim?: number) { return split(this, sizeOrSizes, dim); },
  chunk(this: Tensor, chunks: number, dim?: number) { return chunk(this, chunks, dim); },
});
