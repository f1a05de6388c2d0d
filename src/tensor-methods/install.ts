import { Tensor } from '../tensor.js';

/**
 * Installs methods on `Tensor.prototype`. The pattern for every tensor method
 * implemented by an op (tensor.ts imports no op, to avoid import cycles):
 *
 *   // src/tensor-methods/<area>.ts
 *   declare module '../tensor.js' {
 *     interface Tensor { add(other: Tensor | number): Tensor }   // shows in the .d.ts
 *   }
 *   installMethods({ add(this: Tensor, other: Tensor | number) { return add(this, other); } });
 *
 * and one `import './<area>.js'` line in src/tensor-methods/index.ts. A name
 * installed twice, or one the class already defines, throws at load time, so
 * two areas cannot silently replace each other's method.
 */
export function installMethods(methods: Record<string, (this: Tensor, ...args: never[]) => unknown>): void {
  const proto = Tensor.prototype as unknown as Record<string, unknown>;
  for (const [name, fn] of Object.entries(methods)) {
    if (name in proto) throw new Error(`Tensor.${name} is already defined; two areas install the same method`);
    Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true, enumerable: false });
  }
}
