import { readFileSync } from 'node:fs';

export type Json = Record<string, any>;

/** A fresh copy of a bundled example declaration. */
export function example(name: 'hangzhou-1210' | 'guangzhou-9610'): Json {
  return JSON.parse(readFileSync(new URL(`../../examples/${name}.json`, import.meta.url), 'utf8'));
}

/** The example rate table (illustrative rates for the examples, not a tariff). */
export function exampleRates(): Json {
  return JSON.parse(readFileSync(new URL('../../examples/rates.example.json', import.meta.url), 'utf8'));
}
