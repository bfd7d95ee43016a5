import { describe, expect, it } from 'vitest';
import { DISTILLED_VERSION, applyTemplate, distilledAnswer, distilledStream } from '../../../../src/stack/gateway/prompt-template.js';

describe('prompt template and distilled responder', () => {
  it('wraps the caller prompt in the standard template', () => {
    const t = applyTemplate('  where is my order? ');
    expect(t).toContain('### Customer\nwhere is my order?\n');
    expect(t.endsWith('### Assistant\n')).toBe(true);
  });

  it('answers within max_tokens words', () => {
    const a = distilledAnswer('where is my order', 5);
    expect(a.text.split(' ')).toHaveLength(5);
    expect(a.completionTokens).toBe(5);
  });

  it('streams OpenAI-style SSE chunks that end with [DONE]', () => {
    const chunks = distilledStream('hello', 4);
    expect(chunks.at(-1)).toBe('data: [DONE]\n\n');
    const parsed = chunks.slice(0, -1).map((c) => JSON.parse(c.slice('data: '.length)));
    expect(parsed.every((p) => p.model === DISTILLED_VERSION)).toBe(true);
    expect(parsed.map((p) => p.choices[0].text).join('').split(' ')).toHaveLength(4);
    expect(parsed.at(-1).choices[0].finish_reason).toBe('length');
  });
});
