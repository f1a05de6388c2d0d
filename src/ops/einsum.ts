import { check, fmtShape, SimdnnError } from '../errors.js';
import { isTensor, shapeSize, Tensor } from '../tensor.js';
import { needsGrad } from '../autograd.js';
import { tidy } from '../scope.js';
import { liveTensor, requireFloat } from './args.js';
import { ones, reshape } from './basic.js';
import { matmul } from './matmul.js';
import { permute } from './permute.js';

const SUPPORTED = "one or two operands, one letter per dim, no letter repeated within an operand, no '...' " +
  "(e.g. 'ij,jk->ik', 'bij,bjk->bik', 'bhqd,bhkd->bhqk', 'ij->ji', 'ij->j', 'i,i->')";

/** x with its dims in the order of `to` (letters of `from`), without a copy when already so. */
function arrange(x: Tensor, from: string, to: string): Tensor {
  const perm = [...to].map((c) => from.indexOf(c));
  return perm.every((p, k) => p === k) ? x : permute(x, perm);
}

/** Sums x (dims named by `from`) over the letters not in `keep`, via permute + a matmul with ones; returns the kept letters too. */
function sumOut(x: Tensor, from: string, keep: (c: string) => boolean): [Tensor, string] {
  const kept = [...from].filter(keep).join('');
  const summed = [...from].filter((c) => !keep(c)).join('');
  if (summed.length === 0) return [x, from];
  const y = arrange(x, from, kept + summed);
  const keptShape = y.shape.slice(0, kept.length);
  const s = shapeSize(y.shape.slice(kept.length));
  const rows = reshape(y, [shapeSize(keptShape), s]);
  return [reshape(matmul(rows, ones([s])), keptShape), kept];
}

/**
 * sn.einsum for the forms that map onto permute + (batched) matmul + sum:
 * see SUPPORTED. Letters in both operands and the output are batch dims,
 * letters in both operands only are contracted, the rest are free (or summed
 * out when absent from the output). Without '->' the output is the letters
 * seen once, in alphabetical order (as PyTorch).
 */
export function einsum(equation: string, ...operands: Tensor[]): Tensor {
  const op = 'einsum';
  check(typeof equation === 'string', op, () => `equation must be a string, got ${typeof equation}`);
  const eq = equation.replace(/\s+/g, '');
  const [lhs, rhsGiven] = eq.includes('->') ? eq.split('->') : [eq, undefined];
  const terms = lhs.split(',');
  const unsupported = (why: string) => new SimdnnError(op, `'${equation}': ${why}; supported: ${SUPPORTED}`);
  if (eq.includes('.')) throw unsupported("'...' is not supported");
  if (terms.length < 1 || terms.length > 2) throw unsupported(`${terms.length} operands`);
  for (const s of [...terms, rhsGiven ?? '']) {
    if (!/^[a-zA-Z]*$/.test(s)) throw unsupported(`'${s}' is not a list of letters`);
    if (new Set(s).size !== s.length) throw unsupported(`'${s}' repeats a letter (diagonals and traces are not supported)`);
  }
  check(operands.length === terms.length, op, () => `'${equation}' names ${terms.length} operand(s) but ${operands.length} were given`);
  operands.forEach((t, i) => requireFloat(liveTensor(t, op, `operands[${i}]`), op, `operands[${i}]`));
  const size = new Map<string, number>();
  terms.forEach((s, i) => {
    const t = operands[i];
    check(t.shape.length === s.length, op, () => `operand ${i} ${fmtShape(t.shape)} has ${t.shape.length} dims but '${s}' names ${s.length}`);
    [...s].forEach((c, k) => {
      const n = size.get(c);
      check(n === undefined || n === t.shape[k], op, () => `letter '${c}' has size ${n} and ${t.shape[k]} (operand ${i} ${fmtShape(t.shape)})`);
      size.set(c, t.shape[k]);
    });
  });
  const all = terms.join('');
  const rhs = rhsGiven ?? [...new Set(all)].filter((c) => all.indexOf(c) === all.lastIndexOf(c)).sort().join('');
  for (const c of rhs) if (!size.has(c)) throw unsupported(`output letter '${c}' is in no operand`);
  const inOut = (c: string) => rhs.includes(c);
  // Without a graph to keep, the intermediate permutes and sums are freed now rather than by the GC.
  return needsGrad(operands) ? contract(terms, rhs, operands, size, inOut) : tidy(() => contract(terms, rhs, operands, size, inOut), isTensor);
}

function contract(terms: string[], rhs: string, operands: Tensor[], size: Map<string, number>, inOut: (c: string) => boolean): Tensor {

  if (terms.length === 1) {
    const [y, kept] = sumOut(operands[0], terms[0], inOut);
    const z = arrange(y, kept, rhs);
    return z === operands[0] ? reshape(z, z.shape.slice()) : z; // a new tensor (a view), never the operand itself
  }
  // Letters only in one operand and not in the output are summed out first.
  const [a, sa] = sumOut(operands[0], terms[0], (c) => inOut(c) || terms[1].includes(c));
  const [b, sb] = sumOut(operands[1], terms[1], (c) => inOut(c) || terms[0].includes(c));
  const batch = [...sa].filter((c) => sb.includes(c) && inOut(c)).join('');
  const contr = [...sa].filter((c) => sb.includes(c) && !inOut(c)).join('');
  const aFree = [...sa].filter((c) => !sb.includes(c)).join('');
  const bFree = [...sb].filter((c) => !sa.includes(c)).join('');
  const n = (s: string) => shapeSize([...s].map((c) => size.get(c)!));
  const am = reshape(arrange(a, sa, batch + aFree + contr), [n(batch), n(aFree), n(contr)]);
  const bm = reshape(arrange(b, sb, batch + contr + bFree), [n(batch), n(contr), n(bFree)]);
  const y = reshape(matmul(am, bm), [...batch + aFree + bFree].map((c) => size.get(c)!));
  return arrange(y, batch + aFree + bFree, rhs);
}
