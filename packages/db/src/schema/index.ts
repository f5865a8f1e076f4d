export * from './users.js';
export * from './clients.js';
export * from './appointments.js';
export * from './revoked-tokens.js';
export * from './schedules.js';
export * from './api-keys.js';
export * from './calls.js';
export * from './password-reset-tokens.js';
