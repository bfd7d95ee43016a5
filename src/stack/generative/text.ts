/**
 * Text side of the simulator: a character-based token count (no real tokenizer needed for
 * timing), Llama 3's chat template for /v1/chat/completions, and deterministic filler text.
 */

/** Tokens of a prompt under the profile's chars-per-token ratio (at least 1). */
export function countTokens(text: string, charsPerToken: number): number {
  return Math.max(1, Math.ceil(text.length / charsPerToken));
}

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** Llama 3 instruct template, ending with the assistant header the model continues from. */
export function applyChatTemplate(messages: readonly ChatMessage[]): string {
  let out = '<|begin_of_text|>';
  for (const m of messages) out += `<|start_header_id|>${m.role}<|end_header_id|>\n\n${m.content.trim()}<|eot_id|>`;
  return `${out}<|start_header_id|>assistant<|end_header_id|>\n\n`;
}

const WORDS = [
  'the', 'order', 'ships', 'today', 'and', 'your', 'discount', 'applies', 'at', 'checkout', 'we', 'recommend',
  'this', 'gift', 'for', 'holiday', 'shoppers', 'who', 'like', 'fast', 'delivery', 'with', 'free', 'returns',
  'stock', 'is', 'limited', 'so', 'please', 'confirm', 'soon', 'thanks', 'a', 'great', 'choice', 'size',
];

/** Deterministic token text for a request: same prompt, same answer (handy for caches and tests). */
export function tokenGenerator(prompt: string): (i: number) => string {
  let h = 2166136261;
  for (let i = 0; i < prompt.length; i++) h = Math.imul(h ^ prompt.charCodeAt(i), 16777619);
  return (i) => ` ${WORDS[(((h >>> 0) + i * 7919) >>> 0) % WORDS.length]}`;
}
