import { describe, expect, it } from 'vitest';
import { isSandanError } from '../../src/errors.js';
import {
  bundledPositiveLists,
  bundledRateTable,
  defaultRegistry,
  editionAt,
  inForce,
  positiveListMembership,
} from '../../src/rules/index.js';
import { districtSignOptions } from '../../src/sign/index.js';
import { resolveRate } from '../../src/tax/index.js';

// The public functions that pick dated data by a day (`at`, YYYY-MM-DD) compare it as text with the data's dates. A
// day in another shape used to be compared all the same: 20181231 (a CEB declTime) sorted after 2018-12-31 and before
// 2019-01-01, so it found no 2018 limit, and any word sorted after every date ("x": the newest policy).
const days = {
  resolveRate: (at: string) => (resolveRate(bundledRateTable(), '3304990099', at)?.notInForce ? 'out' : 'in'),
  inForce: (at: string) => inForce({ effectiveFrom: '2019-01-01' }, at),
  editionAt: (at: string) => editionAt(bundledPositiveLists(), at)?.edition,
  positiveListMembership: (at: string) => positiveListMembership(bundledPositiveLists()[0]!, '02101900', at).status,
  'RulesetRegistry.resolve': (at: string) =>
    defaultRegistry().resolve('national', at).policy.singleTransactionLimit?.toFixed(),
  districtSignOptions: (at: string) =>
    districtSignOptions(
      [
        {
          signatureMethod: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
          digestMethod: 'http://www.w3.org/2000/09/xmldsig#sha1',
          effectiveFrom: '2019-01-01',
        },
      ],
      'rsa',
      at,
    )?.signatureAlgorithm,
};

describe('a day given to the functions that pick dated data is a real YYYY-MM-DD', () => {
  it.each(Object.entries(days))('%s reads YYYY-MM-DD', (_name, f) => {
    expect(() => f('2018-12-31')).not.toThrow();
  });

  it('gives the value of that day', () => {
    expect(days.resolveRate('2019-03-31')).toBe('out');
    expect(days.resolveRate('2019-04-01')).toBe('in');
    expect(days.inForce('2018-12-31')).toBe(false);
    expect(days.editionAt('2018-12-31')).toBe('2016');
    expect(days.positiveListMembership('2016-04-15')).toBe('absent');
    expect(days['RulesetRegistry.resolve']('2018-12-31')).toBe('2000');
    expect(days.districtSignOptions('2018-12-31')).toBeUndefined();
    expect(days.districtSignOptions('2019-01-01')).toBe('rsa-sha1');
  });

  it.each(Object.entries(days))('%s refuses a day in another shape, or no real day', (name, f) => {
    for (const at of ['20181231', '2018-12-31T16:30:00Z', '2018-12-31 08:00', '2019-02-30', 'x', '']) {
      let thrown: unknown;
      try {
        f(at);
      } catch (e) {
        thrown = e;
      }
      expect(isSandanError(thrown) && thrown.code, `${name}(${JSON.stringify(at)})`).toBe('INVALID_OPTION');
      expect(String((thrown as Error | undefined)?.message), at).toMatch(/YYYY-MM-DD/);
    }
  });
});
