import { routes } from '@agentcaller/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { userOf } from '../../plugins/auth.js';
import { ScheduleService } from '../../services/schedule.js';
import { problems } from '../responses.js';

const tags = ['schedule'];
const security = [{ bearerAuth: [] }];
const { getSchedule, putSchedule } = routes;

const scheduleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = new ScheduleService(app.db);
  // Strangers learn nothing of the schemas: authentication runs before any validation.
  app.addHook('preValidation', app.authenticate);

  app.get(
    getSchedule.path,
    {
      schema: {
        tags, security, summary: 'When your business takes appointments (the default if never set)',
        response: { [getSchedule.status]: getSchedule.response, ...problems(401, 403) },
      },
    },
    async (request) => service.get(userOf(request).id),
  );

  app.put(
    putSchedule.path,
    {
      schema: {
        tags, security, summary: 'Replace your schedule; 422 on an unknown zone, overlapping or reversed intervals, values out of range',
        body: putSchedule.body,
        response: { [putSchedule.status]: putSchedule.response, ...problems(400, 401, 403, 413, 422) },
      },
    },
    async (request) => service.put(userOf(request).id, request.body),
  );
};

export default scheduleRoutes;
