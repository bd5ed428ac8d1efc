import { SandanError, messageOf } from '../errors.js';
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
import { readInputFile, tooLargeFile } from '../io/walk.js';

/**
 * The most a data file (configuration, ruleset, rate table, goods records, positive list, sender
 * profile, emulator settings) may hold. Read whole, it needs several times its size in memory:
 * /dev/zero or a log named by mistake ran until the process was killed.
 */
export const MAX_DATA_FILE_BYTES = 64 * 1024 * 1024;

/** Reads a JSON file the user points at; unreadable, too large or malformed files are SandanErrors. */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  const bytes = await readInputFile(path, what, MAX_DATA_FILE_BYTES);
  if (bytes === undefined) throw tooLargeFile(path, MAX_DATA_FILE_BYTES, what);
  const text = bytes.toString('utf8');
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch (e) {
    throw new SandanError(
      what === 'ruleset' ? 'RULESET_INVALID' : 'INVALID_OPTION',
      `${path}: not valid JSON: ${messageOf(e)}`,
      { cause: e },
    );
  }
}

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
