/**
 * Node/V8 flags each stack service is started with, wherever it is started (local platform,
 * capacity runs, the Kubernetes manifests, the gateway benchmark). One place, so what is
 * measured is what is deployed.
 *
 * The gateway is the latency-critical hop and runs on one core (its pod's CPU limit is 1;
 * the benchmark pins it). There, V8's parallel and concurrent GC helper threads do not run
 * beside the event loop, they take turns with it on that core: a request arriving while a
 * helper holds the core waits out the scheduler's slice. `--single-threaded-gc` keeps the GC
 * on the main thread (incremental, so in short steps), and a 4 MiB semi-space keeps each
 * scavenge short. Measured with bench/gateway at 1,000 req/s on 2 cores, interleaved slices
 * against the default flags: p99.9 12.2 -> 5.2 ms, p99 2.83 -> 1.93 ms.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--single-threaded-gc', '--max-semi-space-size=4'];

/** The flags `service` runs with (before its entry file on the node command line). */
export function serviceNodeFlags(service: string): readonly string[] {
  return service === 'gateway' ? GATEWAY_NODE_FLAGS : [];
}
