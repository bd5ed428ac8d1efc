export * from './types.js';
export * from './policy.js';
export * from './codes.js';
export * from './ruleset.js';
export * from './registry.js';
export * from './validate.js';
export { bundledCodeTables, bundledRulesets, defaultRegistry } from './bundled.js';
export { checkIdNumber, idCheckCharacter, idBirthDate } from './id-number.js';
export * from './district.js';
