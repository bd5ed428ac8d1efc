import {
  bundledPositiveLists,
  loadGoodsRecords,
  loadPositiveList,
  loadRuleset,
  RULES,
  type GoodsRecords,
  type PositiveList,
  type Ruleset,
} from '../rules/index.js';
import { parseRateTable, type RateTable } from '../tax/rates.js';
import { readJsonFile } from './json-file.js';

/** A user ruleset file, checked against the ruleset schema. */
export async function readRulesetFile(path: string): Promise<Ruleset> {
  return loadRuleset(await readJsonFile(path, 'ruleset'), RULES, path);
}

/** A user rate table (`--rates`). */
export async function readRatesFile(path: string): Promise<RateTable> {
  return parseRateTable(await readJsonFile(path, 'rate table'), path);
}

/** A goods-records file (`--goods-records`). */
export async function readGoodsRecordsFile(path: string): Promise<GoodsRecords> {
  return loadGoodsRecords(await readJsonFile(path, 'goods records'), path);
}

/** Positive-list edition files (`--positive-list`), ahead of the bundled editions so that they win for their dates. */
export async function readPositiveListFiles(paths: readonly string[]): Promise<PositiveList[]> {
  const user = await Promise.all(paths.map(async (p) => loadPositiveList(await readJsonFile(p, 'positive list'), p)));
  return [...user, ...bundledPositiveLists()];
}
