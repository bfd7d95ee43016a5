/**
 * Parses the string form of an SLO (grammar in format.ts), e.g.
 * "fallback_share(predict) > 50% within 30s after fault:kill-tabular start for 3s".
 * Errors name the expression, the 1-based position, what was expected and what was found.
 */
import { invalidInput, type PeakreadyError } from '../contract/errors.js';
import type { Comparator, SloMetric, SloSpec, SloTiming, SloWindow } from '../scenario/slo-spec.js';
import { tryParseDuration } from './duration.js';
import { BREAKER_STATES, ROLLED_BACK, isDurationMetric, isRatioMetric, isRateMetric } from './format.js';

type Tok = { readonly kind: 'word' | 'string' | 'op' | 'punct' | 'end'; readonly text: string; readonly pos: number };

const ROLLOUT_PHASES = ['Healthy', 'Progressing', 'Paused', 'Degraded', 'Aborted', ROLLED_BACK];
const OPS: readonly Comparator[] = ['<=', '>=', '==', '!=', '<', '>'];

/** Thrown inside the parser; turned into a PeakreadyError at the boundary. */
class SyntaxProblem extends Error {
  constructor(readonly pos: number, readonly expected: string, readonly got: string) {
    super(`position ${pos}: expected ${expected}, got ${got}`);
  }
}

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const pos = i + 1;
    if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) throw new SyntaxProblem(pos, 'a closing quote', 'the end of the expression');
      const raw = src.slice(i, j + 1);
      let text: string;
      try {
        text = JSON.parse(raw) as string;
      } catch {
        throw new SyntaxProblem(pos, 'a string in double quotes with JSON escapes', raw);
      }
      toks.push({ kind: 'string', text, pos });
      i = j + 1;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i)) ?? (c === '=' ? '=' : undefined);
    if (op) {
      toks.push({ kind: 'op', text: op, pos });
      i += op.length;
      continue;
    }
    if ('(),:'.includes(c)) {
      toks.push({ kind: 'punct', text: c, pos });
      i++;
      continue;
    }
    const m = /^[A-Za-z0-9_.%+\-/]+/.exec(src.slice(i));
    if (!m) throw new SyntaxProblem(pos, 'a word, number, comparator or parenthesis', JSON.stringify(c));
    toks.push({ kind: 'word', text: m[0], pos });
    i += m[0].length;
  }
  toks.push({ kind: 'end', text: '', pos: src.length + 1 });
  return toks;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  peek(): Tok {
    return this.toks[this.i]!;
  }
  /** The token after the next one. */
  peekSecond(): Tok {
    return this.toks[Math.min(this.i + 1, this.toks.length - 1)]!;
  }
  next(): Tok {
    const t = this.toks[this.i]!;
    if (t.kind !== 'end') this.i++;
    return t;
  }
  fail(expected: string, tok: Tok = this.peek()): never {
    throw new SyntaxProblem(tok.pos, expected, tok.kind === 'end' ? 'the end of the expression' : JSON.stringify(tok.text));
  }
  punct(p: string): boolean {
    const t = this.peek();
    if (t.kind === 'punct' && t.text === p) {
      this.i++;
      return true;
    }
    return false;
  }
  expectPunct(p: string): void {
    if (!this.punct(p)) this.fail(`"${p}"`);
  }
  keyword(word: string): boolean {
    const t = this.peek();
    if (t.kind === 'word' && t.text.toLowerCase() === word) {
      this.i++;
      return true;
    }
    return false;
  }
  expectKeyword(word: string, expected = `"${word}"`): void {
    if (!this.keyword(word)) this.fail(expected);
  }
  /** A name: bare word or quoted string. */
  name(what: string): string {
    const t = this.peek();
    if (t.kind === 'word' || t.kind === 'string') return this.next().text;
    return this.fail(what);
  }
  duration(): string {
    const t = this.peek();
    if (t.kind === 'word' && tryParseDuration(t.text) !== undefined) return this.next().text;
    return this.fail('a duration like 30s, 2m or 1m30s');
  }
  /** "(name)" when present. */
  optionalArg(what: string): string | undefined {
    if (!this.punct('(')) return undefined;
    const v = this.name(what);
    this.expectPunct(')');
    return v;
  }
  requiredArg(what: string): string {
    this.expectPunct('(');
    const v = this.name(what);
    this.expectPunct(')');
    return v;
  }
}

function parseMetric(p: Parser): SloMetric {
  const t = p.peek();
  if (t.kind !== 'word') return p.fail('a metric such as p99(predict), error_rate, fallback_share(predict), replicas(<service>)');
  const word = t.text.toLowerCase();
  const pm = /^p(\d+(?:\.\d+)?)$/.exec(word);
  if (pm) {
    const percentile = Number(pm[1]);
    if (!(percentile > 0 && percentile <= 100)) p.fail('a percentile between p1 and p100');
    p.next();
    const endpoint = p.optionalArg('an endpoint name');
    return endpoint === undefined ? { kind: 'latency', percentile } : { kind: 'latency', percentile, endpoint };
  }
  const sm = /^(ttft|itl|tpot)_p(\d+(?:\.\d+)?)$/.exec(word);
  if (sm) {
    const percentile = Number(sm[2]);
    if (!(percentile > 0 && percentile <= 100)) p.fail('a percentile between p1 and p100');
    p.next();
    const kind = sm[1] as 'ttft' | 'itl' | 'tpot';
    const endpoint = p.optionalArg('an endpoint name');
    return endpoint === undefined ? { kind, percentile } : { kind, percentile, endpoint };
  }
  p.next();
  const withEndpoint = <K extends 'error-rate' | 'throughput' | 'dropped' | 'fallback-share' | 'cache-hit-ratio' | 'output-tokens-per-second'>(kind: K) => {
    const endpoint = p.optionalArg('an endpoint name');
    return endpoint === undefined ? { kind } : { kind, endpoint };
  };
  switch (word) {
    case 'error_rate':
      return withEndpoint('error-rate');
    case 'throughput':
    case 'rps':
      return withEndpoint('throughput');
    case 'dropped':
      return withEndpoint('dropped');
    case 'fallback_share':
      return withEndpoint('fallback-share');
    case 'cache_hit_ratio':
      return withEndpoint('cache-hit-ratio');
    case 'output_tokens_per_second':
      return withEndpoint('output-tokens-per-second');
    case 'goodput':
      return parseGoodput(p);
    case 'version_share': {
      p.expectPunct('(');
      const version = p.name('a model version');
      const endpoint = p.punct(',') ? p.name('an endpoint name') : undefined;
      p.expectPunct(')');
      return endpoint === undefined ? { kind: 'version-share', version } : { kind: 'version-share', version, endpoint };
    }
    case 'breaker_state':
      return { kind: 'breaker-state', upstream: p.requiredArg('an upstream service name') };
    case 'replicas':
      return { kind: 'replicas', service: p.requiredArg('a service name') };
    case 'rollout':
      return { kind: 'rollout-phase', service: p.requiredArg('a service name') };
    case 'restarts':
      return { kind: 'restarts', service: p.requiredArg('a service name') };
    case 'accuracy': {
      const version = p.optionalArg('a model version');
      return version === undefined ? { kind: 'model-accuracy' } : { kind: 'model-accuracy', version };
    }
    case 'drift': {
      const feature = p.optionalArg('a feature name');
      return feature === undefined ? { kind: 'drift' } : { kind: 'drift', feature };
    }
    case 'promql': {
      p.expectPunct('(');
      const q = p.peek();
      if (q.kind !== 'string') p.fail('a PromQL query in double quotes');
      p.next();
      p.expectPunct(')');
      return { kind: 'promql', query: q.text };
    }
    default:
      throw new SyntaxProblem(
        t.pos,
        'a metric (pNN, error_rate, throughput, dropped, fallback_share, cache_hit_ratio, version_share, ttft_pNN, itl_pNN, tpot_pNN, output_tokens_per_second, goodput, breaker_state, replicas, rollout, accuracy, drift, restarts, promql)',
        JSON.stringify(t.text),
      );
  }
}

/** goodput([endpoint,] ttft=DUR, itl=DUR): both limits required, in either order. */
function parseGoodput(p: Parser): SloMetric {
  p.expectPunct('(');
  let endpoint: string | undefined;
  const limits: Partial<Record<'ttft' | 'itl', number>> = {};
  for (;;) {
    const t = p.peek();
    const name = t.kind === 'word' ? t.text.toLowerCase() : '';
    const after = p.peekSecond();
    if ((name === 'ttft' || name === 'itl') && after.kind === 'op' && after.text === '=') {
      p.next();
      p.next();
      if (limits[name] !== undefined) p.fail(`one ${name}= limit`, t);
      limits[name] = tryParseDuration(p.duration())!;
    } else if (endpoint === undefined && Object.keys(limits).length === 0 && (t.kind === 'word' || t.kind === 'string')) {
      endpoint = p.next().text;
    } else p.fail('ttft=DUR or itl=DUR');
    if (!p.punct(',')) break;
  }
  if (limits.ttft === undefined || limits.itl === undefined) p.fail(`${limits.ttft === undefined ? 'ttft=DUR' : 'itl=DUR'} (goodput needs both limits)`);
  p.expectPunct(')');
  return { kind: 'goodput', ttftMs: limits.ttft!, itlMs: limits.itl!, ...(endpoint === undefined ? {} : { endpoint }) };
}

function parseThreshold(p: Parser, metric: SloMetric, op: Comparator): number | string {
  const t = p.peek();
  if (t.kind !== 'word' && t.kind !== 'string') return p.fail('a threshold value');
  const text = t.text;
  const bad = (expected: string): never => p.fail(expected, t);
  let value: number | string | undefined;
  if (metric.kind === 'rollout-phase') {
    value = ROLLOUT_PHASES.find((ph) => ph.toLowerCase() === text.toLowerCase());
    if (value === undefined) bad(`a rollout phase (${ROLLOUT_PHASES.join(', ')})`);
    if (op !== '==' && op !== '!=') throw new SyntaxProblem(t.pos, 'rollout phases to be compared with == or !=', op);
  } else if (isDurationMetric(metric)) {
    value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : tryParseDuration(text);
    if (value === undefined) bad('a latency like 250ms or 1.5s');
  } else if (metric.kind === 'breaker-state') {
    const idx = (BREAKER_STATES as readonly string[]).indexOf(text.toLowerCase());
    value = idx >= 0 ? idx : /^[0-2]$/.test(text) ? Number(text) : undefined;
    if (value === undefined) bad('a breaker state (closed, half-open, open or 0, 1, 2)');
  } else if (isRateMetric(metric)) {
    const m = metric.kind === 'output-tokens-per-second' ? /^(\d+(?:\.\d+)?)(tok\/s|\/s)?$/.exec(text) : /^(\d+(?:\.\d+)?)(rps|\/s)?$/.exec(text);
    if (!m) bad(metric.kind === 'output-tokens-per-second' ? 'a rate like 500 or 500tok/s' : 'a rate like 100 or 100rps');
    value = Number(m![1]);
  } else {
    const m = /^(-?\d+(?:\.\d+)?)(%)?$/.exec(text);
    if (!m) bad(isRatioMetric(metric) ? 'a share like 5% or 0.05' : 'a number');
    value = m![2] ? Number(m![1]) / 100 : Number(m![1]);
    if (isRatioMetric(metric) && !m![2] && (value < 0 || value > 1)) bad('a share like 5% or 0.05 (bare numbers are 0..1)');
  }
  p.next();
  return value!;
}

function parseAnchor(p: Parser): SloTiming['anchor'] {
  const t = p.peek();
  const kind = t.kind === 'word' ? t.text.toLowerCase() : '';
  if (kind !== 'fault' && kind !== 'event' && kind !== 'phase') return p.fail('fault:ID, event:ID or phase:NAME');
  p.next();
  p.expectPunct(':');
  const id = p.name(`a ${kind} ${kind === 'phase' ? 'name' : 'id'}`);
  if (kind === 'event') return { event: id };
  const edge = p.keyword('end') ? 'end' : (p.keyword('start'), 'start');
  return kind === 'fault' ? { fault: id, edge } : { phase: id, edge };
}

function parseTail(p: Parser): { window?: SloWindow; timing?: SloTiming } {
  if (p.keyword('within')) {
    const within = p.duration();
    p.expectKeyword('after');
    const anchor = parseAnchor(p);
    return { timing: p.keyword('for') ? { within, anchor, for: p.duration() } : { within, anchor } };
  }
  if (p.keyword('in')) {
    p.expectKeyword('phase', '"phase:NAME"');
    p.expectPunct(':');
    return { window: { kind: 'phase', phase: p.name('a phase name') } };
  }
  if (p.keyword('during')) {
    p.expectKeyword('fault', '"fault:ID"');
    p.expectPunct(':');
    return { window: { kind: 'during-fault', fault: p.name('a fault id') } };
  }
  if (p.keyword('for')) {
    const dur = p.duration();
    p.expectKeyword('after');
    const t = p.peek();
    if (p.keyword('event')) {
      p.expectPunct(':');
      return { window: { kind: 'after-event', event: p.name('an event id'), for: dur } };
    }
    if (p.keyword('fault')) {
      p.expectPunct(':');
      return { window: { kind: 'after-fault', fault: p.name('a fault id'), for: dur } };
    }
    return p.fail('event:ID or fault:ID', t);
  }
  return {};
}

function parseOrThrow(text: string): SloSpec {
  const p = new Parser(tokenize(text));
  const metric = parseMetric(p);
  const opTok = p.peek();
  if (opTok.kind !== 'op' || !OPS.includes(opTok.text as Comparator)) p.fail('a comparator (<, <=, >, >=, ==, !=)');
  p.next();
  const op = opTok.text as Comparator;
  const threshold = parseThreshold(p, metric, op);
  const { window, timing } = parseTail(p);
  const advisory = p.keyword('advisory') || undefined;
  let weight: number | undefined;
  if (p.keyword('weight')) {
    const w = p.peek();
    if (w.kind !== 'word' || !/^\d+(\.\d+)?$/.test(w.text)) p.fail('a weight (a number >= 0)');
    weight = Number(p.next().text);
  }
  if (p.peek().kind !== 'end') p.fail(advisory || weight !== undefined ? 'the end of the expression' : 'a window (in phase:, during fault:, for DUR after ...), "within DUR after ...", "advisory", "weight N" or the end');
  return {
    metric,
    op,
    threshold,
    ...(window ? { window } : {}),
    ...(timing ? { timing } : {}),
    ...(advisory ? { advisory } : {}),
    ...(weight !== undefined ? { weight } : {}),
  };
}

/** Parses without throwing: the spec, or the problem as one line. */
export function tryParseSlo(text: string): { ok: true; spec: SloSpec } | { ok: false; problem: string } {
  try {
    return { ok: true, spec: parseOrThrow(text) };
  } catch (err) {
    if (err instanceof SyntaxProblem) return { ok: false, problem: `SLO ${JSON.stringify(text)}: ${err.message}` };
    throw err;
  }
}

/** Parses one SLO string; throws PeakreadyError INVALID_INPUT (exit 2) naming the expression and position. */
export function parseSlo(text: string, where = '--slo'): SloSpec {
  return parseSlos([text], where)[0]!;
}

/** Parses several SLO strings, reporting every bad one at once. */
export function parseSlos(texts: readonly string[], where = '--slo'): SloSpec[] {
  const specs: SloSpec[] = [];
  const problems: string[] = [];
  texts.forEach((text, i) => {
    const r = tryParseSlo(text);
    if (r.ok) specs.push(r.spec);
    else problems.push(`${where}${texts.length > 1 ? `[${i}]` : ''}: ${r.problem}`);
  });
  if (problems.length > 0) throw sloError(problems);
  return specs;
}

function sloError(problems: string[]): PeakreadyError {
  return invalidInput(problems.length === 1 ? `invalid SLO: ${problems[0]}` : `${problems.length} invalid SLOs`, problems);
}
