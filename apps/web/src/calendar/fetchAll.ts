import { PAGE_LIMIT_MAX, type AgentCallerClient, type Appointment, type ListAppointmentsQuery } from '@agentcaller/sdk';

const PAGE = PAGE_LIMIT_MAX;

/** Every appointment matching `query`, page after page (the API gives at most PAGE_LIMIT_MAX at a time). */
export async function fetchAllAppointments(api: AgentCallerClient, query: Omit<ListAppointmentsQuery, 'limit' | 'offset'>): Promise<Appointment[]> {
  const items: Appointment[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await api.appointments.list({ ...query, limit: PAGE, offset });
    items.push(...page.items);
    if (page.items.length < PAGE || items.length >= page.total) return items;
  }
}
