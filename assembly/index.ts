// The module's exports: plain functions over pointers into the shared memory.
// Nothing here allocates; TypeScript owns every byte (see DESIGN.md, Kernel ABI).
export { gemm, gemmScratchFloats } from "./gemm";

// Which build this is, so the runtime can report it: 1 = relaxed (FMA), 0 = baseline.
export function simdVariant(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}
export { addInPlace, add, fill } from "./elementwise";
export { ceilingMulAdd, ceilingMadd, ceilingFlopsPerIter } from "./ceiling";
export { debugTrapOnThread, debugEmpty } from "./debug";
export { mathTest } from "./math";
export { reluForward, reluBackward, tanhForward, tanhBackward, sigmoidForward, sigmoidBackward, dropout } from "./activation";
export { softmaxForward, softmaxBackward } from "./softmax";
export { lrnForward, lrnBackward1, lrnBackward2 } from "./lrn";
export { bnStats, bnEvalStats, bnApply, bnBackwardReduce, bnBackwardInput, bnReluBackwardReduce, bnReluBackwardInput } from "./batchnorm";
export { copyRows, addRepeat, sumRepeat } from "./layout";
export { transposePlanes } from "./transpose";
export { im2col, col2imAdd, convBiasGrad, transposeRows, addBiasPlanes } from "./conv2d/im2col";
export {
  maxPool2dForward, maxPool2dBackward, avgPool2dForward, avgPool2dBackward,
  adaptiveAvgPool2dForward, adaptiveAvgPool2dBackward, adaptiveMaxPool2dForward, adaptiveMaxPool2dBackward,
} from "./pool";
export { maxPool2x2Backward, maxPool2x2Forward } from "./pool2x2";
export { sgdStep, adamStep } from "./optim";
export { crossEntropyForward, crossEntropyBackward, regressionLoss, regressionLossBackward, sumScaled } from "./loss";
export {
  winogradWeights, winogradInput, winogradOutput, winogradLineFloats, winogradGemms,
  winogradGradTiles, winogradGradGemms, winogradGradOutput, winogradConvBands,
  winogradGradBands, winogradGradReduce,
} from "./conv2d/winograd-f2x2-3x3";
export { winogradConvChannels } from "./conv2d/winograd-f2x2-3x3";
export { packConvWeights, convSmallForward, planesToPixels, convSmallFilterGrad, packDataWeights, convSmallDataGrad, convSmallDataGradScratch } from "./conv2d/small";
export { addReluInPlace, affinePlanesInPlace } from "./inference";
export { packedConvWeightFloats, packConvWeightPanels, packedConvGemm } from "./conv2d/packed-gemm-conv";
export { packedConvColumnFloats, packConvWeightColumns, transposedConvScratchFloats, packedConvGemmTransposed } from "./conv2d/packed-gemm-conv-transposed";
export { gemvRows } from "./gemv";
export { binarySame, binaryScalar, binaryStrided, unary, copyFloats } from "./binary";
export { reduceAxis, sumBlocks } from "./reduce";
export { depthwiseForward, depthwiseDataGrad, depthwiseFilterGrad } from "./conv2d/depthwise";
export { hardtanhBackward } from "./hardtanh";
export { depthwiseForwardPadded, depthwisePaddedRows, depthwisePaddedCols } from "./conv2d/depthwise-padded";
export {
  winograd4LineFloats, winograd4FilterPlane, winograd4PackedPlane, winograd4TilePlane, winograd4Weights, winograd4Input, winograd4Output, winograd4ConvBands, winograd4ConvChannels,
  winograd4GradTiles, winograd4GradBands, winograd4GradGemms, winograd4GradReduce,
} from "./conv2d/winograd-f4x4-3x3";
export {
  winograd6LineFloats, winograd6Weights, winograd6Input, winograd6ConvBands, winograd6ConvChannels,
} from "./conv2d/winograd-f6x6-3x3";
