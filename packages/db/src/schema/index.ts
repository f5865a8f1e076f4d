export * from './users.js';
export * from './clients.js';
export * from './appointments.js';
