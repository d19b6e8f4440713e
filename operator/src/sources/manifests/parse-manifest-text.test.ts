// YAML from a careless or hostile author: each bad document is a diagnostic, never a crash or an
// expansion, and the file's other documents still count.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifestsAsync } from './load-manifests.js';
import { DEFAULT_MANIFEST_LIMITS } from './manifest-limits.js';
import { parseManifestText } from './parse-manifest-text.js';

const SERVICE = (name: string): string => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {ports: [{port: 80}]}\n`;
const parse = (text: string): ReturnType<typeof parseManifestText> => parseManifestText(text, 'f.yaml', DEFAULT_MANIFEST_LIMITS);

/** Nine levels of nine aliases each: 9^9 strings if expanded. */
function billionLaughs(): string {
  const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: lol}', 'data:', '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let level = 1; level < 10; level++) {
    const previous = String.fromCharCode(96 + level);
    const name = String.fromCharCode(97 + level);
    lines.push(`  ${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
  }
  return `${lines.join('\n')}\n`;
}

describe('parseManifestText', () => {
  it('refuses a "billion laughs" document without expanding it, and keeps the other documents', () => {
    const started = performance.now();
    const parsed = parse(`${SERVICE('before')}---\n${billionLaughs()}---\n${SERVICE('after')}`);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(parsed.failed).toBe(true);
    expect(parsed.problems).toEqual([{ object: 'f.yaml (document 2)', severity: 'error', message: 'not read: its aliases expand beyond the limit of 100 (a "billion laughs" document?)' }]);
    expect(parsed.objects.map((o) => [o.where, (o.value as { metadata: { name: string } }).metadata.name])).toEqual([
      ['f.yaml (document 1)', 'before'],
      ['f.yaml (document 3)', 'after'],
    ]);
  });

  it('still reads a few ordinary aliases', () => {
    const parsed = parse('apiVersion: v1\nkind: Service\nmetadata: {name: s, labels: &l {app: web}, annotations: *l}\n');
    expect(parsed.problems).toEqual([]);
    expect(parsed.objects[0]?.value).toMatchObject({ metadata: { labels: { app: 'web' }, annotations: { app: 'web' } } });
  });

  it('reads !!binary, !!timestamp and custom tags as the plain strings they hold, with one warning per document', () => {
    const parsed = parse('apiVersion: v1\nkind: Secret\nmetadata: {name: s, creationTimestamp: !!timestamp 2001-12-14}\ndata: {key: !!binary aGVsbG8=, other: !vault secret/x}\n');
    expect(parsed.failed).toBe(false);
    expect(parsed.objects[0]?.value).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', creationTimestamp: '2001-12-14' }, data: { key: 'aGVsbG8=', other: 'secret/x' } });
    expect(parsed.problems).toEqual([
      { object: 'f.yaml', severity: 'warning', message: 'YAML tag tag:yaml.org,2002:timestamp at line 3, column 40 (and 2 more tags) is not supported; the value is read as a plain string' },
    ]);
  });

  it('keeps YAML 1.2 meanings whatever %YAML directive the file declares', () => {
    const parsed = parse('%YAML 1.1\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s, labels: {on: yes, zip: 012}}\nspec: {ports: [{port: 80}], <<: {x: 1}}\n');
    expect(parsed.objects[0]?.value).toMatchObject({ metadata: { labels: { on: 'yes', zip: 12 } }, spec: { '<<': { x: 1 } } });
  });

  it('names the document that is not valid YAML, and reads the others', () => {
    const parsed = parse(`${SERVICE('one')}---\nkind: [unclosed\n---\n${SERVICE('three')}`);
    expect(parsed.problems).toEqual([{ object: 'f.yaml (document 2)', severity: 'error', message: expect.stringMatching(/^not valid YAML at line 7, column 1: Flow sequence/) as unknown }]);
    expect(parsed.objects.map((o) => o.where)).toEqual(['f.yaml (document 1)', 'f.yaml (document 3)']);
  });

  it('refuses nesting deep enough to overflow the stack, as a diagnostic', () => {
    const parsed = parse(`${'['.repeat(20_000)}${']'.repeat(20_000)}`);
    expect(parsed.failed).toBe(true);
    expect(parsed.problems[0]).toMatchObject({ object: 'f.yaml', severity: 'error' });
  });

  it('numbers documents as written, empty ones included, and List items within their document', () => {
    const list = 'apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Service, metadata: {name: a}}\n  - {apiVersion: v1, kind: Service, metadata: {name: b}}\n';
    expect(parse(`---\n# nothing\n---\n${list}`).objects.map((o) => o.where)).toEqual(['f.yaml (document 2, item 1)', 'f.yaml (document 2, item 2)']);
    expect(parse(`${SERVICE('alone')}---\n`).objects.map((o) => o.where)).toEqual(['f.yaml']);
  });
});

describe('a hostile document in a folder', () => {
  it('is a diagnostic naming the file and document; other files still load', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portico-yaml-'));
    try {
      writeFileSync(join(dir, 'bomb.yaml'), `${SERVICE('kept')}---\n${billionLaughs()}`);
      writeFileSync(join(dir, 'good.yaml'), SERVICE('good'));
      const loaded = await loadManifestsAsync([dir]);
      expect(loaded.unreadable).toBe(true);
      expect(loaded.fileProblems.map((p) => p.object)).toEqual([`${join(dir, 'bomb.yaml')} (document 2)`]);
      expect(loaded.state.services.map((s) => s.metadata?.name)).toEqual(['good', 'kept']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
