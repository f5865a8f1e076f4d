import { PAGE_LIMIT_MAX } from '@agentcaller/sdk';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api';
import { Alert, Spinner } from '../components/ui';
import { describeError } from '../lib/errors';
import { formatDayShort, formatTime } from '../lib/format';
import { keys } from '../lib/queryKeys';
import { formatCallLength, OUTCOME_LABELS } from './labels';

/** A client's calls, newest first, with their outcomes: what the agent did. */
export function CallHistory({ clientId }: { clientId: number }) {
  const api = useApi();
  const query = { client_id: clientId, limit: PAGE_LIMIT_MAX };
  const calls = useQuery({ queryKey: keys.callList(query), queryFn: () => api.calls.list(query) });

  return (
    <section className="panel" aria-labelledby="calls-heading">
      <h2 id="calls-heading" className="panel__title">
        Calls
      </h2>
      {calls.isPending ? (
        <Spinner label="Loading calls…" />
      ) : calls.isError ? (
        <Alert>{describeError(calls.error)}</Alert>
      ) : calls.data.items.length === 0 ? (
        <p className="muted">No calls yet.</p>
      ) : (
        <ul className="list" aria-label="Call history">
          {calls.data.items.map((call) => {
            const started = new Date(call.started_at);
            return (
              <li key={call.id} className="list__item call">
                <span className="list__primary">
                  {formatDayShort(started)}, {formatTime(started)}
                </span>
                <span className={`call__outcome call__outcome--${call.outcome}`}>{OUTCOME_LABELS[call.outcome]}</span>
                <span className="list__secondary tabular">{formatCallLength(call.duration_seconds)}</span>
                {call.call_back_at ? (
                  <span className="list__secondary">
                    call back {formatDayShort(new Date(call.call_back_at))}, {formatTime(new Date(call.call_back_at))}
                  </span>
                ) : null}
                {call.notes ? <span className="list__notes">{call.notes}</span> : null}
              </li>
            );
          })}
        </ul>
      )}
      {calls.data && calls.data.total > calls.data.items.length ? (
        <p className="muted">
          Showing the latest {calls.data.items.length} of {calls.data.total} calls.
        </p>
      ) : null}
    </section>
  );
}
