import { PAGE_LIMIT_DEFAULT } from '@agentcaller/contracts';
import type { FastifyInstance } from 'fastify';
import { userOf } from '../../plugins/auth.js';
import { AppointmentService } from '../../services/appointments.js';
import { AvailabilityService } from '../../services/availability.js';
import { defineRoute } from '../define.js';

// Method, path, auth and schemas come from the contract (routes.ts); here only the handlers.
export default async function appointmentRoutes(app: FastifyInstance) {
  const service = new AppointmentService(app.db);
  const slots = new AvailabilityService(app.db);

  defineRoute(
    app,
    'listAppointments',
    async (request) => {
      const { limit = PAGE_LIMIT_DEFAULT, offset = 0, ...filters } = request.query;
      return service.list(userOf(request).id, { ...filters, limit, offset });
    },
    { preHandler: app.heavy },
  );
  defineRoute(app, 'createAppointment', async (request) => service.create(userOf(request).id, request.body));
  defineRoute(app, 'getAppointment', async (request) => service.get(userOf(request).id, request.params.id));
  defineRoute(app, 'updateAppointment', async (request) => service.update(userOf(request).id, request.params.id, request.body));
  defineRoute(app, 'cancelAppointment', async (request) => service.cancel(userOf(request).id, request.params.id));
  defineRoute(app, 'deleteAppointment', async (request) => {
    await service.remove(userOf(request).id, request.params.id);
    return null;
  });
  defineRoute(app, 'availability', async (request) => slots.slots(userOf(request).id, request.query), { preHandler: app.heavy });
}
