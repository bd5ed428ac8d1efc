import type { Decimal } from 'decimal.js';
import type { Issue } from '../model/issue.js';
import { ExplainedLine, type LineExplanation, type TaxResult } from './compute.js';
import { padPlaces, type Written } from './formula.js';
import type { Regime } from './line.js';
import { checkArgument } from '../model/guards.js';

/** {@link TaxResult} as plain JSON: amounts are decimal strings. */
export interface TaxResultJSON {
  regime: Regime;
  dutiableValue: string;
  lines: Array<{
    gnum: number;
    gcode: string;
    dutiableValue: string;
    customsTax: string;
    consumptionTax: string;
    valueAddedTax: string;
    taxTotal: string;
    explain: LineExplanation;
  }>;
  omittedLines: Array<{ gnum: number; gcode: string; dutiableValue: string; reason: string }>;
  customsTax: string;
  consumptionTax: string;
  valueAddedTax: string;
  taxTotal: string;
  complete: boolean;
  issues: Issue[];
  explain: { regime: string; rounding: string };
}

/** Two places, or more when a value (a dutiable value with 5-place prices) has them: never rounded here. */
function money(d: Decimal, written: Written | undefined): string {
  return written === undefined ? padPlaces(d, 2) : written.money(d);
}

/**
 * Writes a {@link TaxResult} as JSON-ready data: every amount a decimal string with two places
 * (taxes are already rounded; a dutiable value keeps any further places it has).
 */
export function taxResultToJSON(result: TaxResult): TaxResultJSON {
  checkArgument(result, 'object', 'taxResultToJSON', 'the result');
  checkArgument(result.lines, 'list', 'taxResultToJSON', 'result.lines');
  // A result of computeTax: its explanations already wrote most of these figures (the same Decimal
  // objects), so their texts are taken from there. Each line's explanation is read first for that.
  const lines = result.lines.map((l) => {
    const explain = l.explain;
    const written = ExplainedLine.writtenOf(l);
    return {
      gnum: l.gnum,
      gcode: l.gcode,
      dutiableValue: money(l.dutiableValue, written),
      customsTax: money(l.customsTax, written),
      consumptionTax: money(l.consumptionTax, written),
      valueAddedTax: money(l.valueAddedTax, written),
      taxTotal: money(l.taxTotal, written),
      explain,
    };
  });
  const first = result.lines[0];
  const written = first === undefined ? undefined : ExplainedLine.writtenOf(first);
  return {
    regime: result.regime,
    dutiableValue: money(result.dutiableValue, written),
    lines,
    omittedLines: result.omittedLines.map((l) => ({
      gnum: l.gnum,
      gcode: l.gcode,
      dutiableValue: money(l.dutiableValue, written),
      reason: l.reason,
    })),
    customsTax: money(result.customsTax, written),
    consumptionTax: money(result.consumptionTax, written),
    valueAddedTax: money(result.valueAddedTax, written),
    taxTotal: money(result.taxTotal, written),
    complete: result.complete,
    issues: result.issues,
    explain: result.explain,
  };
}
