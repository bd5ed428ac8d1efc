import type { Decimal } from 'decimal.js';
import type { Issue } from '../model/issue.js';
import type { LineExplanation, TaxResult } from './compute.js';
import { padPlaces } from './formula.js';
import type { Regime } from './line.js';

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
function money(d: Decimal): string {
  return padPlaces(d, 2);
}

/**
 * Writes a {@link TaxResult} as JSON-ready data: every amount a decimal string with two places
 * (taxes are already rounded; a dutiable value keeps any further places it has).
 */
export function taxResultToJSON(result: TaxResult): TaxResultJSON {
  return {
    regime: result.regime,
    dutiableValue: money(result.dutiableValue),
    lines: result.lines.map((l) => ({
      gnum: l.gnum,
      gcode: l.gcode,
      dutiableValue: money(l.dutiableValue),
      customsTax: money(l.customsTax),
      consumptionTax: money(l.consumptionTax),
      valueAddedTax: money(l.valueAddedTax),
      taxTotal: money(l.taxTotal),
      explain: l.explain,
    })),
    omittedLines: result.omittedLines.map((l) => ({
      gnum: l.gnum,
      gcode: l.gcode,
      dutiableValue: money(l.dutiableValue),
      reason: l.reason,
    })),
    customsTax: money(result.customsTax),
    consumptionTax: money(result.consumptionTax),
    valueAddedTax: money(result.valueAddedTax),
    taxTotal: money(result.taxTotal),
    complete: result.complete,
    issues: result.issues,
    explain: result.explain,
  };
}
