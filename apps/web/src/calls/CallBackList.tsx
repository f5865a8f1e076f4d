import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useApi } from '../api';
import { Alert } from '../components/ui';
import { describeError } from '../lib/errors';
import { formatDayShort, formatTime } from '../lib/format';
import { formatPhone } from '../lib/phone';
import { keys } from '../lib/queryKeys';

/** How often the queue is read again while the page is open (clients fall due as time passes). */
const REFRESH_MS = 60_000;

/**
 * The home screen's "Call back" list: clients whose latest call asked to be called back and whose
 * time has come, the longest waiting first. Nothing is shown while nobody is waiting.
 */
export function CallBackList() {
  const api = useApi();
  const due = useQuery({ queryKey: keys.dueCalls, queryFn: () => api.calls.due({ limit: 20 }), refetchInterval: REFRESH_MS });

  if (due.isError) {
    return (
      <section className="panel callback" aria-labelledby="callback-heading">
        <h2 id="callback-heading" className="panel__title">
          Call back
        </h2>
        <Alert>{describeError(due.error)}</Alert>
      </section>
    );
  }
  const items = due.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <section className="panel callback" aria-labelledby="callback-heading">
      <h2 id="callback-heading" className="panel__title">
        Call back <span className="callback__count">({items.length})</span>
      </h2>
      <ul className="list" aria-label="Clients to call back">
        {items.map(({ client, last_call }) => {
          const at = new Date(last_call.call_back_at!);
          return (
            <li key={client.id} className="list__item">
              <Link to={`/clients/${client.id}`} className="list__link">
                <span className="list__primary">{client.name}</span>
                <span className="list__secondary tabular">{formatPhone(client.phone)}</span>
                <span className="list__secondary">
                  asked for {formatDayShort(at)}, {formatTime(at)}
                </span>
                {last_call.notes ? <span className="list__notes">{last_call.notes}</span> : null}
              </Link>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
