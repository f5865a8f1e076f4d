import { isApiError, PAGE_LIMIT_MAX, type Appointment } from '@agentcaller/sdk';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useApi } from '../api';
import { AppointmentDialog } from '../calendar/AppointmentDialog';
import { appointmentHref } from '../calendar/links';
import { Alert, EmptyState, PageHeader, Spinner } from '../components/ui';
import { describeError } from '../lib/errors';
import { formatDate, formatDayLong, formatTimeRange } from '../lib/format';
import { keys } from '../lib/queryKeys';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useNow } from '../lib/useNow';
import { CallHistory } from '../calls/CallHistory';
import { ClientFormDialog } from './ClientFormDialog';
import { DeleteClientDialog } from './DeleteClientDialog';
import { formatPhone } from '../lib/phone';

/** One page, as large as the API gives. */
const SHOWN = PAGE_LIMIT_MAX;

export default function ClientPage() {
  const api = useApi();
  const navigate = useNavigate();
  const now = useNow();
  const id = Number(useParams().clientId);
  const validId = Number.isInteger(id) && id > 0 && id <= 2147483647;
  const [dialog, setDialog] = useState<'edit' | 'delete' | 'book' | null>(null);

  const client = useQuery({ queryKey: keys.client(id), queryFn: () => api.clients.get(id), enabled: validId });
  const listQuery = { client_id: id, limit: SHOWN };
  useDocumentTitle(client.data?.name ?? 'Client');
  const appointments = useQuery({ queryKey: keys.appointmentList(listQuery), queryFn: () => api.appointments.list(listQuery), enabled: validId && client.isSuccess });

  if (!validId || (client.isError && isApiError(client.error) && (client.error.status === 404 || client.error.status === 422))) {
    return (
      <EmptyState title="This client does not exist" action={<Link className="button button--primary" to="/clients">All clients</Link>}>
        They may have been deleted.
      </EmptyState>
    );
  }
  if (client.isError) return <Alert title="Could not load this client">{describeError(client.error)}</Alert>;
  if (!client.data) return <Spinner label="Loading the client…" />;

  const c = client.data;
  const items = appointments.data?.items ?? [];
  const upcoming = items.filter((a) => new Date(a.ends_at) >= now);
  const past = items.filter((a) => new Date(a.ends_at) < now).reverse();

  return (
    <div className="page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/clients">Clients</Link>
        <span aria-hidden="true"> / </span>
        <span aria-current="page">{c.name}</span>
      </nav>
      <PageHeader
        title={c.name}
        subtitle={
          <>
            <a href={`tel:${c.phone}`} className="tabular">
              {formatPhone(c.phone)}
            </a>{' '}
            · client since {formatDate(new Date(c.created_at))}
          </>
        }
      >
        <button type="button" className="button" onClick={() => setDialog('edit')}>
          Edit
        </button>
        <button type="button" className="button button--danger-ghost" onClick={() => setDialog('delete')}>
          Delete
        </button>
        <button type="button" className="button button--primary" onClick={() => setDialog('book')}>
          Book appointment
        </button>
      </PageHeader>

      <section className="panel" aria-labelledby="upcoming-heading">
        <h2 id="upcoming-heading" className="panel__title">
          Upcoming appointments
        </h2>
        {appointments.isPending ? (
          <Spinner label="Loading appointments…" />
        ) : appointments.isError ? (
          <Alert>{describeError(appointments.error)}</Alert>
        ) : upcoming.length === 0 ? (
          <p className="muted">Nothing booked yet.</p>
        ) : (
          <AppointmentList items={upcoming} />
        )}
      </section>

      {past.length > 0 ? (
        <section className="panel" aria-labelledby="past-heading">
          <h2 id="past-heading" className="panel__title">
            Past appointments
          </h2>
          <AppointmentList items={past} />
        </section>
      ) : null}
      {appointments.data && appointments.data.total > SHOWN ? <p className="muted">Showing the first {SHOWN} of {appointments.data.total} appointments.</p> : null}

      <CallHistory clientId={c.id} />

      {dialog === 'edit' ? <ClientFormDialog client={c} onClose={() => setDialog(null)} /> : null}
      {dialog === 'delete' ? <DeleteClientDialog client={c} onClose={() => setDialog(null)} onDeleted={() => void navigate('/clients', { replace: true })} /> : null}
      {dialog === 'book' ? <AppointmentDialog client={{ id: c.id, name: c.name, phone: c.phone }} onClose={() => setDialog(null)} /> : null}
    </div>
  );
}

function AppointmentList({ items }: { items: Appointment[] }) {
  return (
    <ul className="list">
      {items.map((a) => {
        const start = new Date(a.starts_at);
        return (
          <li key={a.id} className="list__item">
            <Link to={appointmentHref(a.id, a.starts_at)} className="list__link">
              <span className="list__primary">{formatDayLong(start)}</span>
              <span className="list__secondary tabular">{formatTimeRange(start, new Date(a.ends_at))}</span>
              {a.notes ? <span className="list__notes">{a.notes}</span> : null}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
