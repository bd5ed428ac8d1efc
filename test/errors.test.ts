import { describe, expect, it } from 'vitest';
import { diskTrouble } from '../src/errors.js';

// What a failed write says of the disk (the CLI's hint and the errors' details.disk come from it); the CLI's
// own tests fill real disks where the machine can mount a small tmpfs (test/cli/bin.test.ts).
describe('diskTrouble', () => {
  const err = (code: unknown) => Object.assign(new Error('x'), { code });
  it.each([
    ['SQLITE_FULL', { errno: 'SQLITE_FULL', disk: 'full' }],
    ['ENOSPC', { errno: 'ENOSPC', disk: 'full' }],
    ['EDQUOT', { errno: 'EDQUOT', disk: 'full' }],
    ['SQLITE_IOERR', { errno: 'SQLITE_IOERR', disk: 'io' }],
    ['SQLITE_IOERR_SHORT_WRITE', { errno: 'SQLITE_IOERR_SHORT_WRITE', disk: 'io' }],
    ['EIO', { errno: 'EIO', disk: 'io' }],
  ])('%s → %o', (code, expected) => {
    expect(diskTrouble(err(code))).toEqual(expected);
  });
  it.each([['SQLITE_BUSY'], ['SQLITE_CONSTRAINT'], ['EACCES'], ['ENOENT'], [42], [undefined]])(
    'says nothing of %s',
    (code) => {
      expect(diskTrouble(err(code))).toBeUndefined();
    },
  );
  it('says nothing of what is not an error object', () => {
    for (const v of [null, undefined, 'ENOSPC', 28]) expect(diskTrouble(v)).toBeUndefined();
  });
});
