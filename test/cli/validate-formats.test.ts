import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findConfig, readConfigFile } from '../../src/cli/config.js';
import { escapeData, escapeProperty } from '../../src/cli/formats/github.js';
import { junitReporter } from '../../src/cli/formats/junit.js';
import type { DeclarationReport } from '../../src/cli/formats/report.js';
import { artifactUri, sarifReporter } from '../../src/cli/formats/sarif.js';
import { globMatcher } from '../../src/cli/input.js';
import { validateStream } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { allElements, parseXml, textContent } from '../../src/xml/core/tree.js';

const HZ = 'examples/hangzhou-1210.json';
const GZ = 'examples/guangzhou-9610.json';
const BAD = 'test/fixtures/invalid-hangzhou.json';
const line = (f: string) => JSON.stringify(JSON.parse(readFileSync(f, 'utf8')));

describe('sandan validate: several inputs, --quiet, --max-warnings', () => {
  it('takes files, folders and globs, and ends with one summary', async () => {
    const r = await runCli([
      'validate',
      HZ,
      'examples/ci/declarations',
      'examples/guangzhou-*.json',
      '--format',
      'ndjson',
    ]);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out.slice(0, -1).map((o) => `${o.file}:${o.line}`)).toEqual([
      `${HZ}:1`,
      'examples/ci/declarations/batch.ndjson:1',
      'examples/ci/declarations/batch.ndjson:2',
      'examples/ci/declarations/batch.ndjson:3',
      'examples/ci/declarations/batch.ndjson:4',
      'examples/ci/declarations/good-order.json:1',
      'examples/ci/declarations/paid-too-much.json:1',
      `${GZ}:1`,
    ]);
    expect(out.at(-1).summary).toMatchObject({ files: 5, declarations: 8, invalid: 2 });
    expect(r.code).toBe(1);
  });

  it('--quiet drops warnings from the report but counts them; --max-warnings fails past the limit', async () => {
    // hangzhou without rates: 3 warnings (rate-missing, 2 × positive-list-unconfirmed), no error.
    const loud = await runCli(['validate', HZ, '--format', 'json']);
    expect(JSON.parse(loud.stdout).issues).toHaveLength(3);
    const quiet = await runCli(['validate', HZ, '--format', 'json', '--quiet']);
    expect(JSON.parse(quiet.stdout)).toEqual({ valid: true, issues: [] });
    expect(quiet.code).toBe(0);
    expect((await runCli(['validate', HZ, '--max-warnings', '3'])).code).toBe(0);
    const over = await runCli(['validate', HZ, '--max-warnings', '2', '--quiet']);
    expect(over.code).toBe(1);
    expect(over.stderr).toBe('sandan: 3 warnings, more than --max-warnings 2\n');
    expect((await runCli(['validate', HZ, '--max-warnings', '-1'])).code).toBe(0);
  });

  it('locates issues of NDJSON lines at their line and column', async () => {
    const input = [line(HZ), '', line(BAD)].join('\n');
    const r = await runCli(['validate', '-', '--format', 'json', '--quiet'], input);
    const bad = JSON.parse(r.stdout.trim().split('\n')[1]!);
    const text = line(BAD);
    const paid = bad.issues.find((i: { code: string }) => i.code === '1332');
    expect(paid.location).toEqual({ file: '<stdin>', line: 3, column: text.indexOf('"amountPaid"') + 1 });
  });

  it('writes one JSON document for several inputs', async () => {
    const r = await runCli(['validate', HZ, GZ, '--format', 'json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.results.map((x: { file: string }) => x.file)).toEqual([HZ, GZ]);
    expect(doc.summary).toEqual({ files: 2, declarations: 2, valid: 2, invalid: 0, errors: 0, warnings: 4 });
  });

  it('colours text on a terminal, not with NO_COLOR', async () => {
    const { main } = await import('../../src/cli/main.js');
    const go = async (env: Record<string, string>) => {
      let out = '';
      await main(['validate', BAD], {
        stdout: (t) => void (out += t),
        stderr: () => {},
        stdin: Readable.from([]),
        stderrIsTTY: false,
        stdoutIsTTY: true,
        env,
      });
      return out;
    };
    const ansi = /\u001b\[31m/;
    expect(await go({})).toMatch(ansi);
    expect(await go({ NO_COLOR: '1' })).not.toMatch(ansi);
    // An empty NO_COLOR is unset (no-color.org); a dumb terminal gets none.
    expect(await go({ NO_COLOR: '' })).toMatch(ansi);
    expect(await go({ TERM: 'dumb' })).not.toMatch(ansi);
    expect((await runCli(['validate', BAD])).stdout).not.toMatch(ansi);
  });

  it('FORCE_COLOR forces colour on, through NO_COLOR and into a pipe; FORCE_COLOR=0 or false off, as Node reads it', async () => {
    const { paintFor } = await import('../../src/cli/format.js');
    const red = (env: Record<string, string>, isTTY: boolean) => paintFor(isTTY, env)('red', 'x');
    expect(red({ FORCE_COLOR: '1' }, false)).toBe('\u001b[31mx\u001b[39m');
    expect(red({ FORCE_COLOR: '', NO_COLOR: '1' }, false)).toBe('\u001b[31mx\u001b[39m');
    expect(red({ FORCE_COLOR: '0' }, false)).toBe('x');
    expect(red({ FORCE_COLOR: '0' }, true)).toBe('x');
    expect(red({ FORCE_COLOR: 'FALSE' }, true)).toBe('x');
    expect(red({ FORCE_COLOR: '2' }, false)).toBe('\u001b[31mx\u001b[39m');
    expect(red({ FORCE_COLOR: '0', NO_COLOR: '1' }, true)).toBe('x');
  });
});

describe('GitHub workflow command escaping', () => {
  it('escapes %, CR and LF in messages, and : and , too in properties', () => {
    expect(escapeData('50% off\r\nnext')).toBe('50%25 off%0D%0Anext');
    // ESC and C1 controls of a value would colour the annotation in the log: written as the text output writes them.
    expect(escapeData('1\u001b[31m42\u009b\tx')).toBe('1\\u001b[31m42\\u009b\tx');
    expect(escapeProperty('a\u001b')).toBe('a\\u001b');
    expect(escapeProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
  });
});

describe('globs', () => {
  it('matches *, ** and {a,b}', () => {
    expect(globMatcher('a/**/*.json')('a/b/c/d.json')).toBe(true);
    expect(globMatcher('a/**/*.json')('a/d.json')).toBe(true);
    expect(globMatcher('a/*.json')('a/b/d.json')).toBe(false);
    expect(globMatcher('a/*.{json,ndjson}')('a/x.ndjson')).toBe(true);
  });

  it('reads ** as whole folders, and each of ?, [...], [!...] as one character', () => {
    const table: Array<[string, string, boolean]> = [
      ['a/**/b.json', 'a/b.json', true],
      ['a/**/b.json', 'a/x/y/b.json', true],
      ['a/**/b.json', 'a/xb.json', false], // ** stands for folders, not part of a name
      ['a/**', 'a/x/y.json', true],
      ['**/*.json', 'x.json', true],
      ['a/?.json', 'a/1.json', true],
      ['a/?.json', 'a/12.json', false],
      ['a/?.json', 'a//.json', false],
      ['a/[ab].json', 'a/b.json', true],
      ['a/[!ab].json', 'a/b.json', false],
      ['a/[!ab].json', 'a/c.json', true],
      // `[^…]` is a negation too, as in bash: `[^_]*.json` leaves out the files starting with _, not keeps only them.
      ['a/[^_]*.json', 'a/x.json', true],
      ['a/[^_]*.json', 'a/_x.json', false],
      ['a/[^ab].json', 'a/^.json', true],
      ['a/{x,y*}.json', 'a/yes.json', true],
      ['a/{x,y*}.json', 'a/z.json', false],
      ['a/x.json', 'a/xxjson', false], // a dot is a dot
      ['a/[b.json', 'a/[b.json', true], // no closing bracket: a bracket
    ];
    expect(table.map(([glob, path]) => [glob, path, globMatcher(glob)(path)])).toEqual(table);
  });

  it('matches in time proportional to its steps times the path, however many stars', () => {
    // As a backtracking regular expression, `*a*a*a*a*a*.json` over a 120-character name of a's took 33 s.
    const name = `${'a'.repeat(240)}.jso`;
    const t = performance.now();
    expect(globMatcher('d/*a*a*a*a*a*a*a*a*.json')(`d/${name}`)).toBe(false);
    expect(globMatcher('**/**/**/**/**/**/*.json')(`${'a/'.repeat(2000)}x.jso`)).toBe(false);
    expect(globMatcher('d/*a*a*a*a*a*a*a*a*.jso')(`d/${name}`)).toBe(true);
    expect(performance.now() - t).toBeLessThan(1000);
  });

  it('agrees with a regular expression written per step, on patterns of stars, folders, classes and braces', () => {
    // Each step and the regular expression it stands for (a class never takes the /). Two star steps never touch, so
    // the steps of a pattern are the ones it was joined from.
    const STEPS: Record<string, string> = {
      a: 'a',
      b: 'b',
      '.': '\\.',
      '-': '-',
      '/': '/',
      '*': '[^/]*',
      '**': '.*',
      '**/': '(?:[^/]*/)*',
      '?': '[^/]',
      '[ab]': '[ab]',
      '[!a]': '[^a/]',
      '[^a]': '[^a/]',
      '[a-c]': '[a-c]',
      '{a,b*}': '(?:a|b[^/]*)',
      '{,a}': '(?:|a)',
    };
    const stars = (s: string | undefined) => s?.startsWith('*');
    const pattern = fc
      .array(fc.constantFrom(...Object.keys(STEPS)), { maxLength: 6 })
      .filter((steps) =>
        steps.every((s, i) => !(stars(s) && (stars(steps[i + 1]) || (s === '**' && steps[i + 1] === '/')))),
      );
    const path = fc
      .array(fc.constantFrom('a', 'b', 'c', '.', '-', '/', '^', '!'), { maxLength: 8 })
      .map((c) => c.join(''));
    fc.assert(
      fc.property(pattern, fc.array(path, { minLength: 1, maxLength: 8 }), (steps, paths) => {
        const re = new RegExp(`^${steps.map((s) => STEPS[s]).join('')}$`);
        const match = globMatcher(steps.join(''));
        for (const p of paths) expect([steps.join(''), p, match(p)]).toEqual([steps.join(''), p, re.test(p)]);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads classes and braces a regular expression could not be made of', async () => {
    const table: Array<[string, string, boolean]> = [
      ['a/[\\].json', 'a/\\.json', true], // (a backslash is a character like any other)
      ['a/[z-a].json', 'a/z.json', false], // (a range backwards takes nothing)
      ['a/[a-c].json', 'a/b.json', true],
      ['a/[!a-c].json', 'a/-.json', true],
      ['a/{?,b}.json', 'a/x.json', true],
      ['a/{a,(}.json', 'a/(.json', true],
    ];
    expect(table.map(([glob, path]) => [glob, path, globMatcher(glob)(path)])).toEqual(table);
    // Each was "internal error: Invalid regular expression"; now the glob is read and matches no file.
    const empty = mkdtempSync(join(tmpdir(), 'sandan-glob-'));
    for (const glob of ['[\\].json', '[z-a].json', '{?,b}.json']) {
      const r = await runCli(['validate', join(empty, glob)]);
      expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/^sandan: no files match (.*): looked in /)]);
    }
    rmSync(empty, { recursive: true });
  });
});

describe('configuration file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandan-config-'));
  const nested = join(dir, 'a', 'b');
  mkdirSync(nested, { recursive: true });

  it('is found by walking up; paths in it are relative to it; flags win', async () => {
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'shop', sandan: { rates: 'rates.json', format: 'json', maxWarnings: 0 } }),
    );
    writeFileSync(join(dir, 'rates.json'), readFileSync('examples/rates.example.json'));
    const found = await findConfig(nested);
    expect(found?.file).toBe(join(dir, 'package.json'));
    expect(found?.config).toEqual({ rates: join(dir, 'rates.json'), format: 'json', maxWarnings: 0 });
    const cfg = join(dir, 'package.json');
    // hangzhou with the rates: 2 warnings (positive list); maxWarnings 0 from the configuration fails it.
    const r = await runCli(['validate', HZ, '--config', cfg]);
    expect(JSON.parse(r.stdout).issues).toHaveLength(2);
    expect(r.code).toBe(1);
    const flags = await runCli(['validate', HZ, '--config', cfg, '--format', 'text', '--max-warnings', '5']);
    expect(flags.stdout).toMatch(/^examples\/hangzhou-1210\.json: valid: 0 errors, 2 warnings/);
    expect(flags.code).toBe(0);
  });

  it('a sandan.config.json nearer wins over package.json above', async () => {
    writeFileSync(join(nested, 'sandan.config.json'), JSON.stringify({ district: '2900' }));
    expect(await findConfig(nested)).toEqual({
      file: join(nested, 'sandan.config.json'),
      config: { district: '2900' },
    });
  });

  it('a sandan.config.json that is a broken link is an error, not passed over for the package.json beside it', async () => {
    // existsSync follows the link: the search went on to package.json (or folders above) and ran without the
    // settings the user had linked in, silently.
    const here = join(nested, 'linked');
    mkdirSync(here);
    writeFileSync(join(here, 'package.json'), JSON.stringify({ sandan: { district: '2900' } }));
    symlinkSync(join(here, 'moved-away.json'), join(here, 'sandan.config.json'));
    await expect(findConfig(here)).rejects.toMatchObject({ code: 'FILE_UNREADABLE' });
    await expect(findConfig(here)).rejects.toThrow(/sandan\.config\.json/);
  });

  it('a bad configuration is a usage error naming the path into it', async () => {
    const bad = join(dir, 'bad.config.json');
    writeFileSync(bad, JSON.stringify({ district: 2900, format: 'xml' }));
    const r = await runCli(['validate', HZ, '--config', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^sandan: ${bad.replace(/[.]/g, '\\.')}: \\$\\.district: `));
  });

  it('maxWarnings is a whole number from 0: 3 is read, -1 and 1.5 are usage errors', async () => {
    const at = (name: string, value: unknown) => {
      const file = join(dir, name);
      writeFileSync(file, JSON.stringify({ maxWarnings: value }));
      return file;
    };
    expect((await readConfigFile(at('three.config.json', 3))).config).toEqual({ maxWarnings: 3 });
    for (const [name, value] of [
      ['negative.config.json', -1],
      ['fraction.config.json', 1.5],
    ] as const) {
      const r = await runCli(['validate', HZ, '--config', at(name, value)]);
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toMatch(/\$\.maxWarnings: /);
    }
  });

  it('quotaDb: a postgres URL in any case stays a URL, a path is made absolute', async () => {
    const at = async (quotaDb: string) => {
      const file = join(dir, 'quota.config.json');
      writeFileSync(file, JSON.stringify({ quotaDb }));
      return (await readConfigFile(file)).config.quotaDb;
    };
    for (const url of ['postgres://u@h/db', 'postgresql://u@h/db', 'PostgreSQL://u@h/db', 'POSTGRES://u@h/db'])
      expect(await at(url)).toBe(url);
    expect(await at('ledger.sqlite')).toBe(join(dir, 'ledger.sqlite'));
  });

  it('examples/ci/sandan.config.json resolves against its own folder', async () => {
    const c = await findConfig('examples/ci/declarations');
    expect(c?.config).toMatchObject({ district: '2900', rates: resolve('examples/rates.example.json') });
  });
});

describe('validateStream', () => {
  it('yields results in order from values or an NDJSON stream, pulling one at a time', async () => {
    const decl = JSON.parse(readFileSync(HZ, 'utf8'));
    let pulled = 0;
    async function* source() {
      for (let i = 0; i < 5; i++) {
        pulled++;
        yield { ...decl, i };
      }
    }
    const seen: number[] = [];
    const it = validateStream(source(), { onProgress: (p) => seen.push(p.done) });
    const first = await it.next();
    // Backpressure: asking for one result reads one declaration, not the whole source.
    expect(pulled).toBe(1);
    expect(first.value).toMatchObject({ index: 0, input: { i: 0 } });
    const rest = [];
    for await (const x of it) rest.push([x.index, (x.input as { i: number }).i]);
    expect(rest).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ]);
    expect(seen).toEqual([1, 2, 3, 4, 5]);

    const ndjson = Readable.from([Buffer.from(`${line(HZ)}\n{oops\n\n${line(BAD)}\n`)]);
    const out = [];
    for await (const x of validateStream(ndjson)) out.push([x.line, x.result.valid, x.result.issues[0]?.code]);
    expect(out).toEqual([
      [1, true, 'rate-missing'],
      [2, false, 'json-syntax'],
      [4, false, 'unknown-field'],
    ]);
  });
});

describe('shipped JSON Schemas', () => {
  it('accept the example configuration and declarations, and reject a bad configuration', async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const ajv = new Ajv2020({ strict: false });
    const config = ajv.compile(JSON.parse(readFileSync('schemas/sandan.config.schema.json', 'utf8')));
    expect(
      config(JSON.parse(readFileSync('examples/ci/sandan.config.json', 'utf8'))),
      JSON.stringify(config.errors),
    ).toBe(true);
    expect(config({ district: 2900 })).toBe(false);
    const decl = ajv.compile(JSON.parse(readFileSync('schemas/declaration.schema.json', 'utf8')));
    for (const f of [HZ, GZ]) expect(decl(JSON.parse(readFileSync(f, 'utf8'))), JSON.stringify(decl.errors)).toBe(true);
  });
});

/** A report of one invalid declaration in `file` with one error issue (code x at order.orderNo, line 1, column 2). */
function oneError(file: string, message: { zh: string; en: string }): DeclarationReport {
  return {
    file,
    line: 1,
    mode: 'single',
    valid: false,
    issues: [
      {
        code: 'x',
        ruleId: 'test/x',
        severity: 'error',
        path: 'order.orderNo',
        message,
        location: { file, line: 1, column: 2 },
      },
    ],
  };
}

describe('junit', () => {
  it('keeps a tab or line break in a file name or message: an XML parser reads the attributes back as written', () => {
    let out = '';
    const r = junitReporter((s) => {
      out += s;
    });
    const file = 'in\tbox/a\nb "&<>\u0001.json';
    const message = { zh: '值 "a\tb"', en: 'value "a\tb" & <c>' };
    r.declaration(oneError(file, message));
    r.end({ files: 1, declarations: 1, valid: 0, invalid: 1, errors: 1, warnings: 0 });
    const all = [...allElements(parseXml(out).root)];
    const attr = (local: string, name: string) =>
      all.find((e) => e.local === local)!.attrs.find((a) => a.local === name)!.value;
    // U+0001 cannot be written in XML 1.0 at all: it is dropped; every other character survives.
    const kept = file.replace('\u0001', '');
    expect(attr('testsuite', 'name')).toBe(kept);
    expect(attr('testcase', 'classname')).toBe(kept);
    expect(attr('failure', 'message')).toBe(`[x] order.orderNo: ${message.en}`);
    expect(textContent(all.find((e) => e.local === 'failure')!)).toBe(
      `${kept}:1:2: error [x] order.orderNo: ${message.en} / ${message.zh}`,
    );
  });
});

describe('sarif', () => {
  it('writes an artifact URI that resolves to the file: a name with :, #, ?, % or spaces is another file no longer', () => {
    const files = ['orders-2026-12-06T10:15:00.json', 'in/a#1 b?.json', '50%/x.ndjson', '清单/订单.json'];
    let out = '';
    const r = sarifReporter((s) => {
      out += s;
    });
    for (const file of files) r.declaration(oneError(file, { zh: '值', en: 'value' }));
    r.end({ files: files.length, declarations: files.length, valid: 0, invalid: files.length, errors: 4, warnings: 0 });
    const uris: string[] = JSON.parse(out).runs[0].results.map(
      (x: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) =>
        x.locations[0]!.physicalLocation.artifactLocation.uri,
    );
    // As a consumer (GitHub code scanning) reads them: resolved against the checkout, path only.
    const read = uris.map((u) => {
      const url = new URL(u, 'file:///repo/');
      return `${url.protocol}${url.search}${url.hash} ${decodeURIComponent(url.pathname)}`;
    });
    expect(read).toEqual(files.map((f) => `file: /repo/${f}`));
  });

  it('writes a Windows path from a drive as a file: URI (C%3A/… named a folder C: in the checkout)', () => {
    const uri = artifactUri('C:/Users/李/in#1 b.json', true);
    expect(uri).toBe('file:///C:/Users/%E6%9D%8E/in%231%20b.json');
    const url = new URL(uri, 'file:///repo/');
    expect([url.protocol, url.host, url.hash, decodeURIComponent(url.pathname)]).toEqual([
      'file:',
      '',
      '',
      '/C:/Users/李/in#1 b.json',
    ]);
    // As the label of a path given with backslashes, and in lower case.
    expect(artifactUri('d:\\in\\a.json', true)).toBe('file:///d:/in/a.json');
    // Relative paths stay relative, each segment encoded; elsewhere than Windows `C:` is a folder's name.
    expect(artifactUri('in/C:/a b.json', true)).toBe('in/C%3A/a%20b.json');
    expect(artifactUri('C:/a.json', false)).toBe('C%3A/a.json');
  });

  it('writes an absolute path inside the working directory relative to it (code scanning maps repo paths only)', () => {
    // GitHub Actions: `sandan validate ${{ github.workspace }}/declarations` from the checkout.
    const root = '/home/runner/work/shop/shop';
    expect(artifactUri(`${root}/declarations/订单 1.json`, false, root)).toBe(
      'declarations/%E8%AE%A2%E5%8D%95%201.json',
    );
    expect(artifactUri('C:\\a\\shop\\in\\b.json', true, 'C:\\a\\shop')).toBe('in/b.json');
    // Outside the working directory the path stays whole: it names no file of the checkout either way.
    expect(artifactUri('/tmp/in/a.json', false, root)).toBe('/tmp/in/a.json');
    expect(artifactUri('/home/runner/work/shop/shop2/a.json', false, root)).toBe('/home/runner/work/shop/shop2/a.json');
    expect(artifactUri('C:/b/a.json', true, 'C:\\a\\shop')).toBe('file:///C:/b/a.json');
    // Relative paths are left as given.
    expect(artifactUri('in/a.json', false, root)).toBe('in/a.json');
    // A name beginning with two dots is still inside (only a first segment `..` leaves the directory).
    expect(artifactUri(`${root}/..orders.json`, false, root)).toBe('..orders.json');
    expect(artifactUri('C:\\a\\shop\\..in\\b.json', true, 'C:\\a\\shop')).toBe('..in/b.json');
  });
});
