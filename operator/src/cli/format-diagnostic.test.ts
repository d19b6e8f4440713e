import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from './format-diagnostic.js';

describe('formatDiagnostic', () => {
  it('never prints control characters raw (an escape sequence could rewrite the terminal)', () => {
    const line = formatDiagnostic({ object: 'deploy/\u001b[2Jx.yaml', severity: 'error', message: 'bad \u0007 bell and \u009b C1' });
    expect(line).toBe('error: deploy/\\u001b[2Jx.yaml: bad \\u0007 bell and \\u009b C1');
    expect(line).not.toMatch(/\p{Cc}/u);
  });
});
