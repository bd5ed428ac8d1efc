export * from './model/index.js';
export * from './rules/index.js';
export * from './errors.js';
export * from './tax/index.js';
