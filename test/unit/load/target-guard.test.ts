import { describe, expect, it } from 'vitest';
import { checkTarget, isLoopbackHost } from '../../../src/load/target-guard.js';
import { errorKind } from '../../../src/load/request-slot.js';

describe('target safety rule', () => {
  it.each(['localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1'])('allows loopback %s', (h) => expect(isLoopbackHost(h)).toBe(true));
  it.each(['example.com', '10.0.0.1', '0.0.0.0', '128.0.0.1', 'localhost.example.com'])('refuses %s', (h) => expect(isLoopbackHost(h)).toBe(false));

  it('refuses a remote target unless allowed, with a hint', () => {
    expect(() => checkTarget('http://example.com:8080', false)).toThrow(/refusing to send load to non-loopback host 'example.com'/);
    expect(checkTarget('http://example.com:8080', true).host).toBe('example.com:8080');
    expect(() => checkTarget('http://10.1.2.3/', false)).toThrow(expect.objectContaining({ hint: expect.stringMatching(/--allow-remote-target/) }));
  });

  it('refuses something that is not an http URL', () => {
    expect(() => checkTarget('127.0.0.1:8080', false)).toThrow(/expected an http/);
    expect(() => checkTarget('ftp://127.0.0.1/', false)).toThrow(/expected an http:\/\/ or https:\/\/ URL/);
  });
});

describe('error kinds', () => {
  it('maps transport errors to timeout, reset, refused and other', () => {
    expect(errorKind({ code: 'UND_ERR_HEADERS_TIMEOUT' })).toBe('timeout');
    expect(errorKind({ code: 'ECONNRESET' })).toBe('reset');
    expect(errorKind({ code: 'UND_ERR_SOCKET', cause: { code: 'ECONNRESET' } })).toBe('reset');
    expect(errorKind({ code: 'UND_ERR_SOCKET' })).toBe('reset');
    expect(errorKind({ code: 'ECONNREFUSED' })).toBe('refused');
    expect(errorKind(new Error('boom'))).toBe('other');
  });
});
