/** Checks on a buildable message type shared by build and parse; internal (not exported from sandan/xml). */
import { SandanError } from '../errors.js';
import { type Accept, compileAccept } from '../model/fast-check.js';
import { describeInput } from '../model/guards.js';
import { BUILDABLE, isBuildableType, type BuildableType } from './messages.js';

const accepts: Partial<Record<BuildableType, Accept>> = {};

/** The compiled "is this a well-formed document of the type?" check (model/fast-check), made once per type. */
export function acceptOf(type: BuildableType): Accept {
  return (accepts[type] ??= compileAccept(BUILDABLE[type].documentSchema));
}

/** Throws `INVALID_OPTION` unless `type` is a message type sandan builds; `what` names the argument in the message. */
export function checkBuildableType(type: unknown, what: string): asserts type is BuildableType {
  if (typeof type !== 'string' || !isBuildableType(type))
    throw new SandanError(
      'INVALID_OPTION',
      `${what} must be one of ${Object.keys(BUILDABLE).join(', ')}, got ${typeof type === 'string' ? type : describeInput(type)}`,
    );
}
