/**
 * What a fused conv applies to each output value, per output channel o, in
 * affinePlanesInPlace's arithmetic (the same bits as that separate pass):
 * v·scale[o] + shift[o] (v + shift[o] without scale), + residual, max(·, 0).
 * Addresses; 0 = absent. The Winograd output transforms (F4, F6) and the packed
 * GEMM conv (packed-forward.ts) apply it; the graph executor builds it.
 */
export interface ConvEpilogue { scale: number; shift: number; residual: number; relu: boolean }
