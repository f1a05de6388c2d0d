/**
 * The step clock (docs/memory.md): eras are the spans between step
 * boundaries. Era 0 is everything before the first boundary ever (data,
 * inputs, models made before the training loop); each boundary starts the next.
 * A plain object so that the hot path (Storage.live) is one load and one store.
 */
export const clock = { era: 0 };
