// Fixed-width histogram of a weight tensor, with bins symmetric around zero so λ runs compare at a glance.

export function histogram(values: ArrayLike<number>, bins: number, range?: number): { edges: number[]; counts: number[] } {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  let max = range ?? 0;
  if (range === undefined) for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
  if (max === 0) max = 1;
  const width = (2 * max) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => -max + i * width);
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const b = Math.floor((values[i] + max) / width);
    // Values at +max (or beyond a given range) go to the last or first bin rather than being dropped.
    counts[Math.min(bins - 1, Math.max(0, b))]++;
  }
  return { edges, counts };
}
