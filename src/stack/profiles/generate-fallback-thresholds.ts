/**
 * When the gateway stops sending `/api/v1/generate` to the generative upstream and answers
 * from its distilled responder instead. Kept next to `vllm-a100-llama-8b.json`, whose figures
 * they are derived from; change them together.
 *
 * The seed's policy (average latency over 500 ms) is written for a classifier answering in
 * milliseconds. A completion's duration is mostly decode time, which the profile sets on
 * purpose: `decode_base_ms` 13 + `decode_per_seq_ms` 0.35 × running sequences per output
 * token, so a healthy 32-token answer takes ≈ 420–800 ms depending on the batch. Judging a
 * completion by its average duration therefore diverts a healthy server. What does say
 * "the server is in trouble" is the time to first token (prefill plus time spent waiting for
 * a running slot) and the server refusing or failing requests (429 when its waiting queue is
 * full, 5xx, timeouts, connection errors).
 */

/**
 * Average time to first token over the window above which generate is diverted, ms.
 * The profile's `note` gives a TTFT of ~100–250 ms for ~1k-token prompts on an idle
 * server (`prefill_tokens_per_s` 12500, `prefill_overhead_ms` 20); the gateway's prompts are
 * ~40 tokens (TTFT ≈ 25–60 ms). Four times the top of the published range means requests
 * are queueing for a running slot (`scheduler.max_num_seqs` 64 exhausted), not prefilling.
 */
export const GENERATE_MAX_AVG_TTFT_MS = 1000;

/**
 * Share of upstream calls that failed (429, 5xx, timeout, connection error) above which
 * generate is diverted: the seed's 5 % error rate, applied to what the server itself did
 * wrong. A 429 is vLLM refusing work (`scheduler.max_waiting` 256 full), so it counts.
 */
export const GENERATE_MAX_UPSTREAM_ERROR_RATE = 0.05;
