import { readFileSync } from 'node:fs';

export type Json = Record<string, any>;

/** A fresh copy of a bundled example declaration. */
export function example(name: 'hangzhou-1210' | 'guangzhou-9610'): Json {
  return JSON.parse(readFileSync(new URL(`../../examples/${name}.json`, import.meta.url), 'utf8'));
}
