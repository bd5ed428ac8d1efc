import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('journey 2: validating declarations in CI', () => {
  it('reports every issue with file and line, and fails the build on errors', () => {
    const r = spawnSync(
      'node',
      [
        'examples/ci/validate-declarations.mjs',
        'examples/ci/declarations',
        '--district',
        '2900',
        '--ruleset',
        'examples/ci/shop-ruleset.json',
        '--rates',
        'examples/rates.example.json',
      ],
      { encoding: 'utf8', env: { ...process.env, GITHUB_ACTIONS: 'true' } },
    );
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => !l.startsWith('::'))).toEqual([
      expect.stringMatching(
        /^examples\/ci\/declarations\/batch\.ndjson:2:\d+: error \[freight-mismatch\] inventory\.freight: /,
      ),
      expect.stringMatching(
        /^examples\/ci\/declarations\/batch\.ndjson:2:\d+: error \[freight-mismatch\] inventory\.freight: .*logistics/,
      ),
      // The 8.00 freight enters the dutiable value: (398 + 5.81) × 9.1% = 36.75 and (150 + 2.19) × 9.1% = 13.85 → 50.60, not 49.87.
      expect.stringMatching(
        /^examples\/ci\/declarations\/batch\.ndjson:2:\d+: error \[tax-mismatch\] order\.taxTotal: order\.taxTotal 49\.87 differs from the computed tax 50\.60/,
      ),
      expect.stringMatching(/^examples\/ci\/declarations\/batch\.ndjson:3:1: error \[json-syntax\]/),
      expect.stringMatching(
        /^examples\/ci\/declarations\/paid-too-much\.json:68:5: error \[1332\] payment\.amountPaid: payment\.amountPaid 597\.88 differs/,
      ),
      expect.stringMatching(
        /^examples\/ci\/declarations\/paid-too-much\.json:105:5: error \[13127\] inventory\.buyerName/,
      ),
      '6 declarations: 6 errors, 0 warnings',
    ]);
    expect(lines).toContain(
      '::error file=examples/ci/declarations/paid-too-much.json,line=68,col=5::[1332] payment.amountPaid: payment.amountPaid 597.88 differs from order.acturalPaid 597.87',
    );
  });

  it('passes the build when everything is valid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-ci-'));
    copyFileSync('examples/ci/declarations/good-order.json', join(dir, 'order.json'));
    const r = spawnSync(
      'node',
      [
        'examples/ci/validate-declarations.mjs',
        dir,
        '--ruleset',
        'examples/ci/shop-ruleset.json',
        '--rates',
        'examples/rates.example.json',
      ],
      { encoding: 'utf8' },
    );
    expect(r.stdout).toBe('1 declarations: 0 errors, 0 warnings\n');
    expect(r.status).toBe(0);
  });
});
