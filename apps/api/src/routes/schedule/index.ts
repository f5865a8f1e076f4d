import type { FastifyInstance } from 'fastify';
import { userOf } from '../../plugins/auth.js';
import { ScheduleService } from '../../services/schedule.js';
import { defineRoute } from '../define.js';

// Method, path, auth and schemas come from the contract (routes.ts); here only the handlers.
export default async function scheduleRoutes(app: FastifyInstance) {
  const service = new ScheduleService(app.db);
  defineRoute(app, 'getSchedule', async (request) => service.get(userOf(request).id));
  defineRoute(app, 'putSchedule', async (request) => service.put(userOf(request).id, request.body));
}
