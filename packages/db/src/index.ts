export * from './schema/index.js';
export * from './connect.js';
export * from './errors.js';
export * from './migrate.js';
export * from './url.js';
export * from './lock.js';
