export * from './common.js';
export * from './auth.js';
export * from './clients.js';
export * from './appointments.js';
export * from './service.js';
export * from './routes.js';
export * from './schedule.js';
