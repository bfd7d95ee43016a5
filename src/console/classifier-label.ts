/**
 * How the console names a stack's classifier on its page: which answer field says "the
 * fallback answered" and which says "the cache answered" (stack-definition.ts's
 * AnswerClassifier, as the load engine applies it).
 */
import { REFERENCE_CLASSIFIER, type AnswerClassifier, type AnswerField } from '../scenario/stack-definition.js';

export interface ClassifierLabel {
  /** Where the fallback is read, e.g. `JSON model_type = "fallback"`. */
  readonly fallback: string;
  /** Where a cache hit is read, e.g. `JSON cached`; undefined when the classifier reads none. */
  readonly cache: string | undefined;
}

const where = (f: AnswerField): string => ('header' in f ? `header ${f.header}` : `JSON ${f.json}`);

/** The page's words for `classify` (undefined: the reference stack's headers, as the load engine then reads them). */
export function describeClassifier(classify: AnswerClassifier | undefined): ClassifierLabel {
  if (typeof classify === 'function') return { fallback: "the stack's classify function", cache: "the stack's classify function" };
  const c = classify ?? REFERENCE_CLASSIFIER;
  return {
    fallback: c.modelType ? `${where(c.modelType)} = "${c.fallbackValue ?? 'fallback'}"` : 'not read (the classifier names no modelType)',
    cache: c.cache ? where(c.cache) : undefined,
  };
}
