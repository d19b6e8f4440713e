// C++ RE2 program sizes from Debian's libre2 (the library Envoy uses), for tests that check
// Portico's own figures. e2e/re2/ensure-re2-size.sh installs and builds what it needs; tests that
// use this fail, never skip, when it cannot.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ENSURE = join(import.meta.dirname, '..', '..', '..', 'e2e', 're2', 'ensure-re2-size.sh');

let tool: string | undefined;

function re2SizeTool(): string {
  if (tool) return tool;
  const ensured = spawnSync('bash', [ENSURE], { encoding: 'utf8' });
  const found = /^RE2_SIZE=(.+)$/m.exec(ensured.stdout)?.[1];
  if (ensured.status !== 0 || !found) throw new Error(`e2e/re2/ensure-re2-size.sh failed:\n${ensured.stderr}`);
  tool = found;
  return tool;
}

/**
 * RE2::ProgramSize() of each pattern as a decimal string, or "error" where C++ RE2 rejects it.
 * Patterns go one per line, so none may contain a newline.
 */
export function re2ProgramSizes(patterns: readonly string[]): string[] {
  if (patterns.length === 0) return [];
  const bad = patterns.find((p) => p.includes('\n'));
  if (bad !== undefined) throw new Error(`re2ProgramSizes: ${JSON.stringify(bad)} contains a newline`);
  const path = re2SizeTool();
  const run = spawnSync(path, [], { input: `${patterns.join('\n')}\n`, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`${path} failed: ${run.stderr}`);
  const sizes = run.stdout.trim().split('\n');
  if (sizes.length !== patterns.length) throw new Error(`${path} answered ${sizes.length} lines for ${patterns.length} patterns`);
  return sizes;
}
