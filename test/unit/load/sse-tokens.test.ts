/**
 * Reading a streamed generation from its bytes as they arrive: events split anywhere across
 * reads, CRLF line ends, comments, the chat role chunk, usage in the last chunk, and streams
 * that end early or with nothing.
 */
import { describe, expect, it } from 'vitest';
import { SseTokenReader } from '../../../src/load/sse-tokens.js';

const ev = (o: unknown): string => `data: ${JSON.stringify(o)}\n\n`;
const text = (t: string, finish: string | null = null) => ev({ choices: [{ index: 0, text: t, finish_reason: finish }] });

describe('SseTokenReader', () => {
  it('times each token by the read that completed its event, however the bytes were split', () => {
    const body = Buffer.from(`: keep-alive comment\n\n${text('a')}${text('b')}${text('c', 'length')}data: [DONE]\n\n`);
    const r = new SseTokenReader();
    // Split in the middle of "data:", of the JSON and of the blank line.
    const cuts = [5, 30, body.indexOf('"b"') + 1, body.indexOf('"c"') - 3, body.length];
    let from = 0;
    cuts.forEach((to, i) => {
      r.feed(body.subarray(from, to), 100 + i * 10);
      from = to;
    });
    const o = r.finish(200, false);
    expect(o).toMatchObject({ tokenEvents: 3, outputTokens: 3, inputTokens: 0, end: 'complete' });
    // "a" completes in the read at 120 ms; "b" at 130; "c" at 140 (its event's blank line arrives in the last read).
    expect([o.firstMs, o.lastMs]).toEqual([120, 140]);
    expect(o.gapsUs).toEqual([10_000, 10_000]);
  });

  it('chat: the role-only first chunk is not a token; CRLF line ends; usage from the last chunk counts the tokens', () => {
    const r = new SseTokenReader();
    const crlf = (s: string) => s.replace(/\n/g, '\r\n');
    r.feed(Buffer.from(crlf(ev({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }))), 10);
    r.feed(Buffer.from(crlf(ev({ choices: [{ index: 0, delta: { content: 'Hello world' }, finish_reason: null }] }))), 50);
    r.feed(Buffer.from(crlf(ev({ choices: [{ index: 0, delta: { content: '!' }, finish_reason: 'stop' }], usage: null }))), 70);
    r.feed(Buffer.from(crlf(ev({ choices: [], usage: { prompt_tokens: 93, completion_tokens: 4 } }))), 71);
    const o = r.finish(72, false);
    expect(o).toMatchObject({ firstMs: 50, lastMs: 70, tokenEvents: 2, outputTokens: 4, inputTokens: 93, end: 'complete' });
  });

  it('a stream that stops after tokens is cut off; one with no token at all is no_token; a failed read never completes', () => {
    const cut = new SseTokenReader();
    cut.feed(Buffer.from(text('a') + text('b')), 5);
    expect(cut.finish(6, false).end).toBe('cut_off');
    const empty = new SseTokenReader();
    empty.feed(Buffer.from('data: [DONE]\n\n'), 5);
    expect(empty.finish(6, false)).toMatchObject({ end: 'no_token', firstMs: -1, outputTokens: 0 });
    const reset = new SseTokenReader();
    reset.feed(Buffer.from(text('a') + text('b', 'length')), 5);
    expect(reset.finish(6, true).end).toBe('cut_off');
  });

  it('a last event without its blank line still counts when the body ended cleanly; non-JSON data is no token', () => {
    const r = new SseTokenReader();
    r.feed(Buffer.from(`data: not json\n\n${text('a')}data: {"choices":[{"text":"b","finish_reason":"length"}]}`), 5);
    expect(r.finish(9, false)).toMatchObject({ tokenEvents: 2, lastMs: 9, end: 'complete' });
  });
});
