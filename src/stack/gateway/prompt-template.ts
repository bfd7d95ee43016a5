/**
 * The seed's generative-AI practices at the gateway: one standard prompt template (callers
 * send only their question), and a "distilled" responder — a tiny built-in model that
 * answers with a short templated text when the generative upstream cannot.
 */

/** Version reported by the built-in responder. */
export const DISTILLED_VERSION = 'distilled-v1';

const SYSTEM = 'You are a concise, helpful shopping assistant for an online retailer during peak season.';

/** Wraps the caller's prompt in the standard template sent to the generative model. */
export function applyTemplate(prompt: string): string {
  return `${SYSTEM}\n\n### Customer\n${prompt.trim()}\n\n### Assistant\n`;
}

/** Rough token estimate (≈4 characters per token, as OpenAI documents for English). */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** The distilled answer: short, honest about being degraded, capped at `maxTokens` words. */
export function distilledAnswer(prompt: string, maxTokens: number): { text: string; promptTokens: number; completionTokens: number } {
  const topic = prompt.trim().split(/\s+/).slice(0, 8).join(' ');
  const words =
    `Thanks for your question about "${topic}". Our full assistant is busy right now, so here is a short answer: ` +
    'please check the product page for availability and delivery dates, or ask again in a moment for a detailed reply.';
  const tokens = words.split(' ').slice(0, maxTokens);
  return { text: tokens.join(' '), promptTokens: estimateTokens(applyTemplate(prompt)), completionTokens: tokens.length };
}

/** The distilled answer as OpenAI-style completion SSE chunks ending with `[DONE]`. */
export function distilledStream(prompt: string, maxTokens: number): string[] {
  const { text } = distilledAnswer(prompt, maxTokens);
  const words = text.split(' ');
  const created = Math.floor(Date.now() / 1000);
  const chunk = (t: string, finish: string | null) =>
    `data: ${JSON.stringify({
      id: 'cmpl-distilled',
      object: 'text_completion',
      created,
      model: DISTILLED_VERSION,
      choices: [{ index: 0, text: t, finish_reason: finish }],
    })}\n\n`;
  return [...words.map((w, i) => chunk(i === 0 ? w : ` ${w}`, null)), chunk('', words.length >= maxTokens ? 'length' : 'stop'), 'data: [DONE]\n\n'];
}
