import { Type, type TSchema } from 'typebox';
import { Appointment, AppointmentPage, Availability, AvailabilityQuery, CreateAppointmentBody, ListAppointmentsQuery, UpdateAppointmentBody } from './appointments.js';
import { ChangePasswordBody, LoginForm, Me, RegisterBody, RegisteredUser, Session, SessionBody, Token } from './auth.js';
import { Schedule } from './schedule.js';
import { Client, ClientPage, CreateClientBody, IdParams, ListClientsQuery, UpdateClientBody } from './clients.js';

/** How a route's body travels. */
export type BodyEncoding = 'json' | 'form';

export interface RouteDef {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Fastify-style path: `:id` for a path parameter. */
  path: string;
  /** The success status and its body (`Type.Null()` for 204). */
  status: 200 | 201 | 204;
  response: TSchema;
  params?: TSchema;
  query?: TSchema;
  body?: TSchema;
  encoding?: BodyEncoding;
  /** Needs `Authorization: Bearer`. */
  auth: boolean;
}

const NoContent = Type.Null({ description: 'No content' });

/**
 * Every route of the API once: the server registers each from here and the SDK derives its
 * methods from here, so the two cannot drift.
 */
export const routes = {
  register: { method: 'POST', path: '/v1/auth/register', status: 201, body: RegisterBody, encoding: 'json', response: RegisteredUser, auth: false },
  login: { method: 'POST', path: '/v1/auth/login', status: 200, body: LoginForm, encoding: 'form', response: Token, auth: false },
  me: { method: 'GET', path: '/v1/auth/me', status: 200, response: Me, auth: true },
  logout: { method: 'POST', path: '/v1/auth/logout', status: 204, response: NoContent, auth: true },
  logoutAll: { method: 'POST', path: '/v1/auth/logout-all', status: 204, response: NoContent, auth: true },
  changePassword: { method: 'PUT', path: '/v1/auth/me/password', status: 204, body: ChangePasswordBody, encoding: 'json', response: NoContent, auth: true },
  createSession: { method: 'POST', path: '/v1/auth/session', status: 200, body: SessionBody, encoding: 'json', response: Session, auth: false },
  deleteSession: { method: 'DELETE', path: '/v1/auth/session', status: 204, response: NoContent, auth: true },

  listClients: { method: 'GET', path: '/v1/clients', status: 200, query: ListClientsQuery, response: ClientPage, auth: true },
  createClient: { method: 'POST', path: '/v1/clients', status: 201, body: CreateClientBody, encoding: 'json', response: Client, auth: true },
  getClient: { method: 'GET', path: '/v1/clients/:id', status: 200, params: IdParams, response: Client, auth: true },
  updateClient: { method: 'PATCH', path: '/v1/clients/:id', status: 200, params: IdParams, body: UpdateClientBody, encoding: 'json', response: Client, auth: true },
  deleteClient: { method: 'DELETE', path: '/v1/clients/:id', status: 204, params: IdParams, response: NoContent, auth: true },

  listAppointments: { method: 'GET', path: '/v1/appointments', status: 200, query: ListAppointmentsQuery, response: AppointmentPage, auth: true },
  createAppointment: { method: 'POST', path: '/v1/appointments', status: 201, body: CreateAppointmentBody, encoding: 'json', response: Appointment, auth: true },
  getAppointment: { method: 'GET', path: '/v1/appointments/:id', status: 200, params: IdParams, response: Appointment, auth: true },
  updateAppointment: { method: 'PATCH', path: '/v1/appointments/:id', status: 200, params: IdParams, body: UpdateAppointmentBody, encoding: 'json', response: Appointment, auth: true },
  cancelAppointment: { method: 'POST', path: '/v1/appointments/:id/cancel', status: 200, params: IdParams, response: Appointment, auth: true },
  deleteAppointment: { method: 'DELETE', path: '/v1/appointments/:id', status: 204, params: IdParams, response: NoContent, auth: true },

  availability: { method: 'GET', path: '/v1/availability', status: 200, query: AvailabilityQuery, response: Availability, auth: true },

  getSchedule: { method: 'GET', path: '/v1/schedule', status: 200, response: Schedule, auth: true },
  putSchedule: { method: 'PUT', path: '/v1/schedule', status: 200, body: Schedule, encoding: 'json', response: Schedule, auth: true },
} as const satisfies Record<string, RouteDef>;

export type Routes = typeof routes;
export type RouteName = keyof Routes;
