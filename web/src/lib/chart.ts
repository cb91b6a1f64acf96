/** Scales and shared settings of the Recharts charts. */

/** Charts are drawn at their element's measured width (this until measured), at a fixed height (no jump). */
export const DEFAULT_CHART_WIDTH = 560;
export const CHART_HEIGHT = 220;
export const AXIS_TICK = { fontSize: 12, fill: "#64748b" };

/** A loss axis that ends on a round number a little above the largest loss. */
export function lossAxisMax(losses: number[]): number {
  const largest = Math.max(0, ...losses.filter(Number.isFinite));
  if (largest === 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(largest));
  const step = magnitude / 2;
  return Number((Math.ceil((largest * 1.05) / step) * step).toPrecision(12));
}

/** A loss axis label: "0", "0.21", "1.5", "12". */
export function formatTick(value: number): string {
  if (value === 0) return "0";
  return value >= 10 ? value.toFixed(0) : value >= 1 ? value.toFixed(1) : value.toFixed(2);
}

/** The rounds `first..last` to label on an x axis: every one, or every n-th so that at most 10 show. */
export function roundTicks(first: number, last: number): number[] {
  if (!Number.isFinite(first) || !Number.isFinite(last) || last < first) return [];
  const every = Math.max(1, Math.ceil((last - first + 1) / 10));
  const ticks: number[] = [];
  for (let round = first; round <= last; round += every) ticks.push(round);
  return ticks;
}
