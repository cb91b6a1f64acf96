/** Scales for the metrics chart. */

/** A loss axis that ends on a round number a little above the largest loss. */
export function lossAxisMax(losses: number[]): number {
  const largest = Math.max(0, ...losses);
  if (largest === 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(largest));
  const step = magnitude / 2;
  return Number((Math.ceil((largest * 1.05) / step) * step).toPrecision(12));
}
