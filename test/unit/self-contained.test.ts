/**
 * A clone or an installed package stands on its own: no code, script, test or document
 * reads material from a folder beside the repository.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crdsDir } from '../../src/platforms/kubernetes/schema-registry.js';

const ROOT = resolve('.');
// Spelt in parts so this file does not name what it looks for.
const SIBLING = ['..', 'shared'].join('/');
const ABSOLUTE = ['', 'work', 'shared'].join('/');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe('the repository is self-contained', () => {
  it(`no file under src/, scripts/, test/, bench/, deploy/, chaos/, scenarios/ or docs/ names ${SIBLING}`, () => {
    const roots = ['src', 'scripts', 'test', 'bench', 'deploy', 'chaos', 'scenarios', 'docs'].filter((d) => existsSync(d));
    const all = [...roots.flatMap((d) => files(resolve(d))), ...['Makefile', 'README.md', 'package.json', '.ci/run'].map((f) => resolve(f))];
    expect(all.length).toBeGreaterThan(300);
    const offenders = all.filter((f) => {
      const text = readFileSync(f, 'utf8');
      return text.includes(SIBLING) || text.includes(ABSOLUTE);
    });
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
  });

  it('vendors every CRD the harness validates against or installs, with its upstream commit', () => {
    delete process.env.PEAKREADY_CRDS_DIR;
    const dir = crdsDir();
    expect(relative(ROOT, dir)).toBe(join('deploy', 'crds'));
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    for (const project of ['chaos-mesh', 'argo-rollouts', 'prometheus-operator', 'k6-operator', 'flagger']) {
      const yaml = readdirSync(join(dir, project)).filter((f) => f.endsWith('.yaml'));
      expect(yaml.length, project).toBeGreaterThan(0);
      for (const f of yaml) expect(readFileSync(join(dir, project, f), 'utf8'), `${project}/${f}`).toMatch(/^kind: CustomResourceDefinition$/m);
      // Its row names the folder and a 40-hex upstream commit.
      expect(readme).toMatch(new RegExp(`\\| \`${project}/\` \\|.*\\| [0-9a-f]{40} \\|`));
    }
  });
});
