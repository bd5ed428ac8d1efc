export * from './model/index.js';
export * from './rules/index.js';
export { SandanError, isSandanError, type SandanErrorCode } from './errors.js';
export * from './tax/index.js';
export * from './sign/index.js';
export * from './xml/index.js';
export * from './quota/index.js';
export * from './reconcile/index.js';
