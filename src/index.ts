export * from './model/index.js';
export * from './errors.js';
