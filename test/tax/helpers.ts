import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDeclaration, type Declaration } from '../../src/model/index.js';
import { parseRateTable, type RateTable } from '../../src/tax/index.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

export function example(name: 'hangzhou-1210' | 'guangzhou-9610'): Record<string, any> {
  return readJson(`${ROOT}examples/${name}.json`) as Record<string, any>;
}

export function parsed(input: unknown): Declaration {
  const result = parseDeclaration(input);
  if (!result.success) throw new Error(`example does not parse: ${JSON.stringify(result.issues)}`);
  return result.data;
}

export const exampleRates = (): RateTable =>
  parseRateTable(readJson(`${ROOT}examples/rates.example.json`), 'rates.example.json');
export const bundledRates = (): RateTable =>
  parseRateTable(readJson(`${ROOT}rulesets/rates/cbec-rates.json`), 'cbec-rates.json');

/** An inventory line in the JSON input shape; only what the tax reads varies. */
export interface LineSpec {
  gcode: string;
  totalPrice: string;
  qty?: string;
  unit?: string;
  qty1?: string;
  unit1?: string;
  qty2?: string;
  unit2?: string;
}

/**
 * A declaration built on the Hangzhou example with the given inventory lines and header
 * freight/insuredFee (the order side stays as in the example: tax reads the inventory).
 */
export function declarationWith(
  lines: readonly LineSpec[],
  header: { freight?: string; insuredFee?: string; discount?: string } = {},
): Declaration {
  const input = example('hangzhou-1210');
  input.inventory.freight = header.freight ?? '0';
  input.inventory.insuredFee = header.insuredFee ?? '0';
  if (header.discount !== undefined) input.order.discount = header.discount;
  input.inventory.items = lines.map((l, i) => ({
    gnum: i + 1,
    gcode: l.gcode,
    gname: `商品 ${i + 1}`,
    gmodel: '-',
    country: '601',
    currency: '142',
    qty: l.qty ?? '1',
    unit: l.unit ?? '011',
    qty1: l.qty1 ?? l.qty ?? '1',
    unit1: l.unit1 ?? l.unit ?? '011',
    ...(l.qty2 !== undefined ? { qty2: l.qty2, unit2: l.unit2 } : {}),
    price: l.totalPrice,
    totalPrice: l.totalPrice,
  }));
  return parsed(input);
}
