// onnxruntime-web (a devDependency) as the reference runtime in tests: one thread, wasm.
let ortLib: typeof import('onnxruntime-web') | null = null;

export async function ortRun(model: Uint8Array, feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<{ data: Float32Array; dims: number[] }[]> {
  if (!ortLib) {
    ortLib = await import('onnxruntime-web');
    ortLib.env.wasm.numThreads = 1;
  }
  const ort = ortLib;
  const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
  const inputs = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.dims)]));
  const out = await session.run(inputs);
  const res = session.outputNames.map((n) => ({ data: out[n].data as Float32Array, dims: out[n].dims.slice() as number[] }));
  await session.release();
  return res;
}
