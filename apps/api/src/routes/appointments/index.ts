import { routes } from '@agentcaller/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { userOf } from '../../plugins/auth.js';
import { AppointmentService } from '../../services/appointments.js';
import { AvailabilityService } from '../../services/availability.js';
import { problems } from '../responses.js';

const tags = ['appointments'];
const security = [{ bearerAuth: [] }];
const { listAppointments, createAppointment, getAppointment, updateAppointment, cancelAppointment, deleteAppointment, availability } = routes;

const appointmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = new AppointmentService(app.db);
  const slots = new AvailabilityService(app.db);
  // Strangers learn nothing of the schemas: authentication runs before any validation.
  app.addHook('preValidation', app.authenticate);

  app.get(
    listAppointments.path,
    {
      schema: {
        tags, security, summary: 'Your appointments overlapping [from, to), by start; cancelled ones only when status= asks',
        querystring: listAppointments.query,
        response: { [listAppointments.status]: listAppointments.response, ...problems(401, 403, 422, 429) },
      },
      preHandler: app.heavy,
    },
    async (request) => {
      const { limit = 20, offset = 0, ...filters } = request.query;
      return service.list(userOf(request).id, { ...filters, limit, offset });
    },
  );

  app.post(
    createAppointment.path,
    {
      schema: {
        tags, security, summary: 'Book an appointment; 409 names the appointment it overlaps',
        body: createAppointment.body,
        response: { [createAppointment.status]: createAppointment.response, ...problems(400, 401, 403, 404, 409, 413, 422) },
      },
    },
    async (request, reply) => reply.code(createAppointment.status).send(await service.create(userOf(request).id, request.body)),
  );

  app.get(
    getAppointment.path,
    {
      schema: {
        tags, security, summary: 'One of your appointments',
        params: getAppointment.params,
        response: { [getAppointment.status]: getAppointment.response, ...problems(401, 403, 404, 422) },
      },
    },
    async (request) => service.get(userOf(request).id, request.params.id),
  );

  app.patch(
    updateAppointment.path,
    {
      schema: {
        tags, security, summary: 'Change any field or the status; time order and overlap are checked again',
        params: updateAppointment.params,
        body: updateAppointment.body,
        response: { [updateAppointment.status]: updateAppointment.response, ...problems(400, 401, 403, 404, 409, 413, 422) },
      },
    },
    async (request) => service.update(userOf(request).id, request.params.id, request.body),
  );

  app.post(
    cancelAppointment.path,
    {
      schema: {
        tags, security, summary: 'Cancel an appointment: its time is free again (undo: PATCH status back to scheduled)',
        params: cancelAppointment.params,
        response: { [cancelAppointment.status]: cancelAppointment.response, ...problems(401, 403, 404, 422) },
      },
    },
    async (request) => service.cancel(userOf(request).id, request.params.id),
  );

  app.delete(
    deleteAppointment.path,
    {
      schema: {
        tags, security, summary: 'Remove an appointment for good (POST …/cancel keeps it, cancelled)',
        params: deleteAppointment.params,
        response: { [deleteAppointment.status]: deleteAppointment.response, ...problems(401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      await service.remove(userOf(request).id, request.params.id);
      return reply.code(deleteAppointment.status).send(null);
    },
  );

  app.get(
    availability.path,
    {
      schema: {
        tags: ['availability'], security, summary: 'Bookable slots of duration_minutes inside [from, to) per your schedule, at most 31 days',
        querystring: availability.query,
        response: { [availability.status]: availability.response, ...problems(401, 403, 422, 429) },
      },
      preHandler: app.heavy,
    },
    async (request) => slots.slots(userOf(request).id, request.query),
  );
};

export default appointmentRoutes;
