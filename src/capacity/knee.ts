/**
 * The knee of the latency curve, by Kneedle (Satopää et al., 2011): normalise rate and p99 to
 * [0, 1] over the measured points, and take the point that lies furthest below the chord
 * from the first to the last point (max of x − y for a convex, increasing curve). That is
 * where the curve bends hardest: below it latency barely moves with load, above it each
 * extra request/s costs more and more latency. Works on the few, unevenly spaced points a
 * step search leaves (they cluster near the break, which is where the knee is).
 */

export interface CurvePoint {
  readonly rate: number;
  readonly p99: number;
}

/**
 * The knee point, or undefined when there are fewer than three points or the curve does not
 * bend upwards (linear, flat or concave: no point lies below the chord).
 */
export function findKnee(points: readonly CurvePoint[]): CurvePoint | undefined {
  const pts = [...points].filter((p) => Number.isFinite(p.rate) && Number.isFinite(p.p99)).sort((a, b) => a.rate - b.rate);
  // The same rate probed twice: keep the worse latency (the conservative reading).
  const byRate = new Map<number, CurvePoint>();
  for (const p of pts) {
    const seen = byRate.get(p.rate);
    if (!seen || p.p99 > seen.p99) byRate.set(p.rate, p);
  }
  const curve = [...byRate.values()];
  if (curve.length < 3) return undefined;
  const x0 = curve[0]!.rate;
  const x1 = curve[curve.length - 1]!.rate;
  const ys = curve.map((p) => p.p99);
  const y0 = Math.min(...ys);
  const y1 = Math.max(...ys);
  if (x1 <= x0 || y1 <= y0) return undefined;
  let best: CurvePoint | undefined;
  let bestD = 1e-9;
  for (const p of curve) {
    const d = (p.rate - x0) / (x1 - x0) - (p.p99 - y0) / (y1 - y0);
    if (d > bestD) {
      bestD = d;
      best = p;
    }
  }
  return best;
}
