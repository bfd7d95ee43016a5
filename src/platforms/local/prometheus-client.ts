/** A minimal PromQL instant-query client for the autoscaler and the analysis runs. */

export interface PromSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Runs an instant query; a scalar comes back as one sample without labels. Throws on HTTP or PromQL errors. */
export async function promQuery(baseUrl: string, query: string, timeoutMs = 2000): Promise<PromSample[]> {
  const res = await fetch(`${baseUrl}/api/v1/query?query=${encodeURIComponent(query)}`, { signal: AbortSignal.timeout(timeoutMs) });
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: unknown };
  };
  if (body.status !== 'success' || !body.data) throw new Error(`PromQL ${query}: ${body.error ?? `HTTP ${res.status}`}`);
  const { resultType, result } = body.data;
  if (resultType === 'scalar') return [{ labels: {}, value: Number((result as [number, string])[1]) }];
  if (resultType === 'vector') {
    return (result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
  }
  throw new Error(`PromQL ${query}: unsupported result type ${resultType}`);
}
