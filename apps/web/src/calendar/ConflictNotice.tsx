import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useApi } from '../api';
import { Alert } from '../components/ui';
import { formatWhen } from '../lib/format';
import { keys } from '../lib/queryKeys';
import { appointmentHref } from './links';

/** A 409: which appointment is in the way (its client and times), with a link to it. */
export function ConflictNotice({ appointmentId }: { appointmentId: number }) {
  const api = useApi();
  const other = useQuery({ queryKey: keys.appointment(appointmentId), queryFn: () => api.appointments.get(appointmentId) });
  return (
    <Alert title="This time is already taken">
      {other.data ? (
        <p>
          It overlaps the appointment with <strong>{other.data.client.name}</strong> on {formatWhen(other.data.starts_at, other.data.ends_at)}.{' '}
          <Link to={appointmentHref(other.data.id, other.data.starts_at)}>Open that appointment</Link>. Pick a free time below, or a shorter duration.
        </p>
      ) : other.isError ? (
        <p>It overlaps another appointment (number {appointmentId}). Pick a free time below.</p>
      ) : (
        <p>It overlaps another appointment. Looking it up…</p>
      )}
    </Alert>
  );
}
