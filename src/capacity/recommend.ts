/**
 * Sizing for a forecast peak: replicas = ceil(peak × (1 + headroom) / sustainable-per-replica),
 * and an HPA target for the seed's `inference_requests_per_second` pods metric that scales
 * out while each pod still has the headroom: sustainable-per-replica × (1 − headroom), but
 * never above the knee (past it latency climbs steeply, so pods should not run there).
 */
import type { HpaSuggestion, Recommendation } from './types.js';

/** Keeps ceil() honest when a product lands a hair above a whole number (3.0000000004). */
const EPS = 1e-9;

/** HPA target for one pod. `kneePerReplica` caps it when known. */
export function suggestHpa(perReplica: number, headroom: number, kneePerReplica?: number, peakRps?: number): HpaSuggestion {
  const byHeadroom = perReplica * (1 - headroom);
  const useKnee = kneePerReplica !== undefined && kneePerReplica > 0 && kneePerReplica < byHeadroom;
  const raw = useKnee ? kneePerReplica : byHeadroom;
  // Whole requests/s below 10 lose too much; round down so the target never exceeds the basis.
  const averageValue = raw >= 10 ? Math.floor(raw) : Math.floor(raw * 10) / 10;
  const base: HpaSuggestion = { metric: 'inference_requests_per_second', averageValue, basis: useKnee ? 'knee' : 'headroom' };
  if (peakRps === undefined || averageValue <= 0) return base;
  return { ...base, maxReplicas: Math.max(1, Math.ceil(peakRps / averageValue - EPS)) };
}

/** Replicas for the peak plus the HPA advice. */
export function recommend(perReplica: number, peakRps: number, headroom: number, kneePerReplica?: number): Recommendation {
  if (!(perReplica > 0)) throw new RangeError(`sustainable rate per replica must be > 0, got ${perReplica}`);
  const replicas = Math.max(1, Math.ceil((peakRps * (1 + headroom)) / perReplica - EPS));
  return { peakRps, headroom, replicas, hpa: suggestHpa(perReplica, headroom, kneePerReplica, peakRps) };
}
