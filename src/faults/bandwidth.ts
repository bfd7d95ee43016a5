/**
 * bandwidth: the service's answers share one byte rate (NetworkChaos bandwidth limits the pod's
 * link, not each connection): N concurrent answers each get about 1/N of it, paced from the
 * first byte (no burst). Response headers pass unthrottled; bodies are limited.
 */
import type { Fault } from './fault.js';
import { resolveFaultParams } from './catalogue.js';
import { toxicFault } from './toxic-fault.js';

export const bandwidthFault: Fault = {
  kind: 'bandwidth',
  description: "limits the service's total answer throughput to a byte rate that concurrent answers share (params: rate=bytes per second, default 10240)",
  prepare: (target, fault) => toxicFault(target, fault, { kind: 'bandwidth', bytesPerSecond: resolveFaultParams(fault).bytesPerSecond }),
};
