export * from './documents.js';
export * from './primitives.js';
export * from './issue.js';
export * from './parse.js';
export { FIELD_NAMES_ZH, fieldNameZh } from './field-names.js';
export { isAmountText } from './guards.js';
export { locateJsonPath, locateJsonPaths } from './json-position.js';
export {
  SourceSchema,
  SourcesSchema,
  SourceRefSchema,
  citation,
  sourceLabel,
  type Source,
  type SourceRef,
} from './sources.js';
export { SandanError, isSandanError, type SandanErrorCode } from '../errors.js';
