import * as sn from '../index.js';
import type { GoogLeNetOutputs } from '../models/googlenet.js';

/** A model's training-mode output: the logits, or GoogLeNet's logits with its two auxiliary heads' logits. */
export type TrainingOutput = sn.Tensor | GoogLeNetOutputs;

/**
 * The loss a training step minimises: cross-entropy of the logits, plus
 * `auxWeight`·(cross-entropy of aux1 + cross-entropy of aux2) when the model
 * returns auxiliary logits (GoogLeNet, Szegedy et al. 2015 §5: weight 0.3).
 * The auxiliary heads run only in training mode; evaluation uses the logits alone.
 * `main` is the logits' loss alone: what the run reports as its training loss,
 * comparable with the validation loss.
 */
export function trainingLoss(out: TrainingOutput, y: Int32Array, auxWeight: number): { loss: sn.Tensor; main: sn.Tensor; logits: sn.Tensor } {
  if (out instanceof sn.Tensor) {
    const loss = sn.F.crossEntropy(out, y);
    return { loss, main: loss, logits: out };
  }
  const main = sn.F.crossEntropy(out.logits, y);
  const aux = sn.add(sn.F.crossEntropy(out.aux1, y), sn.F.crossEntropy(out.aux2, y));
  return { loss: sn.add(main, sn.mul(aux, auxWeight)), main, logits: out.logits };
}
