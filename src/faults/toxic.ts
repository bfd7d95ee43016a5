/**
 * Toxics the service proxy applies, modelled on Toxiproxy's (latency with jitter, timeout,
 * reset_peer, bandwidth) plus an HTTP error toxic like Chaos Mesh's HTTPChaos abort.
 */
export type Toxic =
  | { readonly kind: 'latency'; readonly latencyMs: number; readonly jitterMs: number; readonly fraction: number }
  | { readonly kind: 'errors'; readonly status: number; readonly fraction: number }
  | { readonly kind: 'reset'; readonly fraction: number }
  /** Requests are held without an answer until the toxic goes (a black hole), then their sockets close. */
  | { readonly kind: 'partition' }
  | { readonly kind: 'bandwidth'; readonly bytesPerSecond: number };

/** Added delay for one request: latency ± uniform jitter, never negative. */
export function latencyFor(t: Extract<Toxic, { kind: 'latency' }>, rnd: () => number = Math.random): number {
  return Math.max(0, t.latencyMs + (rnd() * 2 - 1) * t.jitterMs);
}
