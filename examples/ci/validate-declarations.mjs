#!/usr/bin/env node
// Journey 2 — CI: validate every declaration in a folder (.json, and .ndjson one per line)
// against a district and a shop ruleset; print each issue where CI systems show it inline,
// and fail the build on errors.
//
//   node examples/ci/validate-declarations.mjs examples/ci/declarations \
//     --district 2900 --ruleset examples/ci/shop-ruleset.json --rates examples/rates.example.json
//
// Output: one line per issue, `file:line:column: severity [code] path: message` (read by most
// CI log viewers and editors), plus a GitHub Actions annotation when GITHUB_ACTIONS is set.
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createValidator, loadRuleset, locateJsonPath, parseRateTable, RULES } from 'sandan';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { district: { type: 'string' }, ruleset: { type: 'string' }, rates: { type: 'string' } },
});
const folder = positionals[0];
if (!folder) {
  console.error('usage: validate-declarations.mjs <folder> [--district CODE] [--ruleset FILE] [--rates FILE]');
  process.exit(2);
}

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const validate = createValidator({
  ...(values.district && { district: values.district }),
  ...(values.ruleset && { ruleset: loadRuleset(readJson(values.ruleset), RULES, values.ruleset) }),
  ...(values.rates && { rates: parseRateTable(readJson(values.rates), values.rates) }),
});

let errors = 0;
let warnings = 0;
let declarations = 0;

function report(file, where, issue) {
  if (issue.severity === 'error') errors++;
  else warnings++;
  const loc = `${where.line}:${where.column}`;
  console.log(
    `${file}:${loc}: ${issue.severity} [${issue.code}] ${issue.path || '(input)'}: ${issue.message.en} / ${issue.message.zh}`,
  );
  if (process.env.GITHUB_ACTIONS) {
    const text = `[${issue.code}] ${issue.path}: ${issue.message.en}`.replace(/%/g, '%25').replace(/\r?\n/g, '%0A');
    console.log(
      `::${issue.severity === 'error' ? 'error' : 'warning'} file=${file},line=${where.line},col=${where.column}::${text}`,
    );
  }
}

function check(file, text, lineOffset) {
  declarations++;
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    report(
      file,
      { line: lineOffset + 1, column: 1 },
      {
        severity: 'error',
        code: 'json-syntax',
        path: '',
        message: { en: `not valid JSON: ${e.message}`, zh: '不是有效的 JSON' },
      },
    );
    return;
  }
  for (const issue of validate(value).issues) {
    const at = locateJsonPath(text, issue.path) ?? { line: 1, column: 1 };
    report(file, { line: lineOffset + at.line, column: at.column }, issue);
  }
}

function* files(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(json|ndjson|jsonl)$/.test(name)) yield path;
  }
}

for (const path of files(folder)) {
  const file = relative(process.cwd(), path);
  if (/\.(ndjson|jsonl)$/.test(path)) {
    let n = 0;
    // Streamed line by line: a large file never sits in memory whole.
    for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
      n++;
      if (line.trim()) check(file, line, n - 1);
    }
  } else {
    check(file, readFileSync(path, 'utf8'), 0);
  }
}

console.log(`${declarations} declarations: ${errors} errors, ${warnings} warnings`);
process.exitCode = errors > 0 ? 1 : 0;
