import type { ListAdminUsersQuery, ListAppointmentsQuery, ListCallsQuery, ListClientsQuery } from '@agentcaller/sdk';

/** Every cached server answer's key, in one place so invalidation matches what is cached. */
export const keys = {
  me: ['session', 'me'] as const,
  clients: ['clients'] as const,
  clientList: (query: ListClientsQuery) => ['clients', 'list', query] as const,
  client: (id: number) => ['clients', 'detail', id] as const,
  appointments: ['appointments'] as const,
  appointmentList: (query: ListAppointmentsQuery) => ['appointments', 'list', query] as const,
  appointment: (id: number) => ['appointments', 'detail', id] as const,
  availability: ['availability'] as const,
  schedule: ['schedule'] as const,
  availabilityFor: (from: string, to: string, duration: number, excluded?: number) => ['availability', from, to, duration, excluded ?? null] as const,
  apiKeys: ['api-keys'] as const,
  calls: ['calls'] as const,
  callList: (query: ListCallsQuery) => ['calls', 'list', query] as const,
  dueCalls: (limit: number) => ['calls', 'due', limit] as const,
  adminUsers: ['admin', 'users'] as const,
  adminUserList: (query: ListAdminUsersQuery) => ['admin', 'users', query] as const,
};
