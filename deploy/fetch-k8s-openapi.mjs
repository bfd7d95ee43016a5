#!/usr/bin/env node
// Fetches the Kubernetes OpenAPI v3 schemas once into ~/.cache/peakready/k8s-openapi/<version>/
// (needs Go and the Go module proxy). Usage: node deploy/fetch-k8s-openapi.mjs [v1.37.2]
// Run `node scripts/build.mjs` first: this script uses the built library.
import { ensureOpenApiSpecs, DEFAULT_K8S_VERSION } from '../dist/platforms/kubernetes/openapi-cache.js';

const dir = await ensureOpenApiSpecs(process.argv[2] ?? DEFAULT_K8S_VERSION);
process.stdout.write(`${dir}\n`);
