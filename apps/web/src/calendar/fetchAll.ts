import type { AgentCallerClient, Appointment, ListAppointmentsQuery } from '@agentcaller/sdk';

const PAGE = 100;

/** Every appointment matching `query`, page after page (the API gives at most 100 at a time). */
export async function fetchAllAppointments(api: AgentCallerClient, query: Omit<ListAppointmentsQuery, 'limit' | 'offset'>): Promise<Appointment[]> {
  const items: Appointment[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await api.appointments.list({ ...query, limit: PAGE, offset });
    items.push(...page.items);
    if (page.items.length < PAGE || items.length >= page.total) return items;
  }
}
