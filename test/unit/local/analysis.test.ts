import { describe, expect, it } from 'vitest';
import { evaluateCondition, measurementPhase, metricPhase, modelAccuracyCheck, withBool, type AnalysisMetric } from '../../../src/platforms/local/analysis.js';

const metric = (over: Partial<AnalysisMetric> = {}): AnalysisMetric => ({ name: 'm', query: 'q', intervalMs: 1000, count: 10, failureLimit: 3, successCondition: 'result == true', ...over });

describe('Argo-style analysis', () => {
  it('turns the seed filter queries into 0/1 answers so "false" differs from "no data"', () => {
    expect(withBool('avg(model_accuracy{version="v2"}) > 0.9')).toBe('avg(model_accuracy{version="v2"}) > bool 0.9');
    expect(withBool('avg(model_latency_ms{version="v2"}) < 100')).toBe('avg(model_latency_ms{version="v2"}) < bool 100');
    expect(withBool('up > bool 0')).toBe('up > bool 0');
    expect(withBool('rate(x[1m])')).toBe('rate(x[1m])');
  });

  it('evaluates result conditions', () => {
    expect(evaluateCondition('result == true', [1])).toBe(true);
    expect(evaluateCondition('result == true', [0])).toBe(false);
    expect(evaluateCondition('result[0] >= 0.9', [0.95])).toBe(true);
    expect(evaluateCondition('result < 100 && result > 10', [50])).toBe(true);
    expect(evaluateCondition('result < 10 || result > 90', [50])).toBe(false);
    expect(() => evaluateCondition('result == true', [])).toThrow('no data');
  });

  it('classifies measurements in Argo order (failure wins, success only → false is Failed, neither → Inconclusive)', () => {
    expect(measurementPhase(metric(), [1])).toBe('Successful');
    expect(measurementPhase(metric(), [0])).toBe('Failed');
    expect(measurementPhase(metric(), [])).toBe('Error');
    const both = metric({ successCondition: 'result > 0.9', failureCondition: 'result < 0.5' });
    expect(measurementPhase(both, [0.7])).toBe('Inconclusive');
    expect(measurementPhase(both, [0.3])).toBe('Failed');
    expect(measurementPhase(metric({ successCondition: undefined, failureCondition: 'result > 5' }), [1])).toBe('Successful');
  });

  it('ends a metric by failureLimit, inconclusiveLimit, consecutiveErrorLimit or count', () => {
    const m = metric();
    expect(metricPhase(m, ['Failed', 'Failed', 'Failed'])).toBe('Running'); // failureLimit 3 tolerates 3
    expect(metricPhase(m, ['Failed', 'Successful', 'Failed', 'Failed', 'Failed'])).toBe('Failed');
    expect(metricPhase(m, ['Inconclusive'])).toBe('Inconclusive'); // inconclusiveLimit defaults to 0
    expect(metricPhase(m, ['Error', 'Error', 'Error', 'Error'])).toBe('Running');
    expect(metricPhase(m, ['Error', 'Error', 'Error', 'Error', 'Error'])).toBe('Error');
    expect(metricPhase(m, ['Error', 'Error', 'Successful', 'Error', 'Error', 'Error'])).toBe('Running');
    expect(metricPhase(metric({ count: 2 }), ['Successful', 'Failed'])).toBe('Successful');
  });

  it('the seed template: failureLimit 3, count 10, both queries for the version', () => {
    const [acc, lat] = modelAccuracyCheck('v2-bad', 3000);
    expect(modelAccuracyCheck('v1', 3000, 'tabular')[0]!.query).toBe('avg(model_accuracy{service="tabular",version="v1"}) > 0.9');
    expect(acc).toMatchObject({ name: 'model-accuracy', query: 'avg(model_accuracy{version="v2-bad"}) > 0.9', failureLimit: 3, count: 10, intervalMs: 3000 });
    expect(lat?.query).toBe('avg(model_latency_ms{version="v2-bad"}) < 100');
  });
});
