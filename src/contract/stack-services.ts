/** The reference stack's services and the ports their Services listen on. */

export const STACK_SERVICES = ['gateway', 'tabular', 'fallback', 'triton', 'generative', 'redis', 'prometheus'] as const;
export type StackService = (typeof STACK_SERVICES)[number];

/** The port each reference service's Kubernetes Service listens on. */
export const SERVICE_PORTS: Readonly<Record<string, number>> = { gateway: 8080, tabular: 8080, fallback: 8080, triton: 8000, generative: 8000, redis: 6379, prometheus: 9090 };
