import type { Issue } from '../../model/issue.js';

/** Where an issue points: the file, and the 1-based line and column of the value it is about. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** An issue with its place in the input. */
export type LocatedIssue = Issue & { location: SourceLocation };

/** How reports name standard input (`-`). */
export const STDIN_LABEL = '<stdin>';

/** What a command found about one declaration. */
export interface DeclarationReport {
  /** The file as named in reports (`<stdin>` for standard input). */
  file: string;
  /** 1-based line where the declaration starts (1 for a whole-file JSON document). */
  line: number;
  /** Whether the file holds one JSON document or NDJSON lines. */
  mode: 'single' | 'ndjson';
  orderNo?: string;
  valid: boolean;
  /** The issues to report (without warnings under `--quiet`). */
  issues: LocatedIssue[];
  /** The count of every issue, reported or not (under `--quiet`, warnings are counted but not reported). */
  counts?: { errors: number; warnings: number };
  ruleset?: { chain: string[]; at: string };
}

/** Totals of a run. */
export interface RunSummary {
  files: number;
  declarations: number;
  valid: number;
  invalid: number;
  errors: number;
  warnings: number;
}

/** The issue of a file that could not be read at its turn: the run goes on, and ends with exit 2. */
export const UNREADABLE_ISSUE = 'input-unreadable';

/** Writes one output format: a report per declaration as it comes, then the summary. */
export interface Reporter {
  declaration(r: DeclarationReport): void;
  end(summary: RunSummary): void;
}

/** The output formats of `sandan validate`. */
export const FORMATS = ['text', 'json', 'ndjson', 'github', 'sarif', 'junit'] as const;
export type OutputFormat = (typeof FORMATS)[number];
