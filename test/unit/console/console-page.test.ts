/**
 * The console page is one self-contained file: its script compiles, and nothing in it
 * reaches beyond the console's own server (no CDN, no fonts, no external links).
 */
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CONSOLE_PAGE } from '../../../src/console/console-page.js';
import { FAULT_PARAMS } from '../../../src/console/fault-catalogue.js';
import { FAULT_KINDS } from '../../../src/scenario/fault-spec.js';

describe('console page', () => {
  it('has a script that compiles and refers to no other host', () => {
    const script = /<script>([\s\S]*)<\/script>/.exec(CONSOLE_PAGE)?.[1];
    expect(script).toBeDefined();
    expect(() => new Script(script!)).not.toThrow();
    const urls = CONSOLE_PAGE.match(/\b(?:https?:)?\/\/[a-z0-9.-]+/gi) ?? [];
    expect(urls).toEqual(['http://www.w3.org']); // the SVG namespace name, never fetched
    expect(CONSOLE_PAGE).not.toMatch(/<link|<img|src=|@import|url\(/i);
  });

  it('has the elements an operator acts through: halt, inject, traffic, its own confirmation', () => {
    for (const id of ['halt', 'inject', 'clear-all', 'traffic-start', 'traffic-stop', 'confirm', 'confirm-yes', 'confirm-no', 'active-faults', 'chart-latency']) {
      expect(CONSOLE_PAGE, id).toContain(`id="${id}"`);
    }
    expect(CONSOLE_PAGE).not.toContain('window.confirm');
  });

  it('offers a form for every fault kind of the catalogue', () => {
    expect(Object.keys(FAULT_PARAMS).sort()).toEqual([...FAULT_KINDS].sort());
    expect(FAULT_PARAMS.latency.map((p) => p.name)).toEqual(['latency', 'jitter', 'fraction']);
  });
});
