import type { DeclarationReport, Reporter, RunSummary } from './report.js';

const resultJson = (r: DeclarationReport) => ({ valid: r.valid, issues: r.issues });

/**
 * `--format json`. One input holding one declaration: `{ valid, issues }`, as before. One
 * NDJSON input: a line `{ line, valid, issues }` per declaration and a last line `{ summary }`,
 * as before. Several inputs: one document `{ results: [{ file, line, valid, issues }], summary }`.
 */
export function jsonReporter(write: (s: string) => void, inputs: number): Reporter {
  const results: unknown[] = [];
  let single: DeclarationReport | undefined;
  let sawNdjson = false;
  return {
    declaration(r) {
      if (inputs > 1) results.push({ file: r.file, line: r.line, ...resultJson(r) });
      else if (r.mode === 'single') single = r;
      else {
        sawNdjson = true;
        write(`${JSON.stringify({ line: r.line, ...resultJson(r) })}\n`);
      }
    },
    end(summary: RunSummary) {
      if (inputs > 1) write(`${JSON.stringify({ results, summary }, null, 2)}\n`);
      else if (sawNdjson) {
        const { files: _files, ...rest } = summary;
        write(`${JSON.stringify({ summary: rest })}\n`);
      } else if (single) write(`${JSON.stringify(resultJson(single), null, 2)}\n`);
    },
  };
}

/** `--format ndjson`: a line `{ file, line, valid, issues }` per declaration, then `{ summary }`; streamable. */
export function ndjsonReporter(write: (s: string) => void): Reporter {
  return {
    declaration(r) {
      write(`${JSON.stringify({ file: r.file, line: r.line, ...resultJson(r) })}\n`);
    },
    end(summary) {
      write(`${JSON.stringify({ summary })}\n`);
    },
  };
}
