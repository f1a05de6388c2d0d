import { SimdnnError } from './errors.js';
/**
 * Seeded random numbers (xoshiro128**): the same sequence in every engine, so
 * `randn({ seed })`, dropout masks and augmentation repeat exactly.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  constructor(seed: number) {
    // splitmix32 expands the seed into the four state words.
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 24 bits, exactly representable in float32. */
  uniform(): number {
    return (this.nextU32() >>> 8) / 16777216;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller; V8's Math.log/cos are the same fdlibm code in Node and Chromium). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** The full state, for checkpoints. */
  getState(): number[] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0, this.spare ?? NaN];
  }
  setState(s: number[]): void {
    [this.s0, this.s1, this.s2, this.s3] = s;
    this.spare = Number.isNaN(s[4]) ? null : s[4];
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

let globalSeedCounter = 0x5eed;

/**
 * Seeds everything that draws without an explicit seed (randn/rand, dropout
 * masks, layer and model initialisation, sn.nn.init): the same n gives the
 * same run, as torch.manual_seed.
 */
export function manualSeed(n: number): void {
  if (!Number.isInteger(n)) throw new SimdnnError('manualSeed', `seed must be an integer, got ${String(n)}`);
  globalSeedCounter = n >>> 0;
}
/** A fresh seed when the caller gives none (deterministic per process run). */
export function nextSeed(): number {
  globalSeedCounter = (Math.imul(globalSeedCounter, 1664525) + 1013904223) >>> 0;
  return globalSeedCounter;
}
