import { PAGE_LIMIT_MAX } from '@agentcaller/sdk';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { useApi } from '../api';
import { Alert } from '../components/ui';
import { describeError } from '../lib/errors';
import { formatDayShort, formatTime } from '../lib/format';
import { formatPhone } from '../lib/phone';
import { keys } from '../lib/queryKeys';

/** How often the queue is read again while the page is open (clients fall due as time passes). */
const REFRESH_MS = 60_000;
/** How many due clients are shown at first, and how many more each "Show more" adds. */
const CALL_BACK_STEP = 20;

/**
 * The home screen's "Call back" list: clients whose latest call asked to be called back and whose
 * time has come, the longest waiting first. Nothing is shown while nobody is waiting.
 *
 * The queue's answer has no total, so one more than is shown is asked for: when it comes, more are
 * due, and the list says so and offers to show more (up to the API's page limit, where it says that
 * more may be due). Each link holds the client and the time they asked for (its name); the phone and
 * the call's note lie beside it and describe it (the note cut visibly to two lines). The whole row
 * still answers a click: the link's box covers it.
 */
export function CallBackList() {
  const api = useApi();
  const [shown, setShown] = useState(CALL_BACK_STEP);
  const limit = Math.min(shown + 1, PAGE_LIMIT_MAX);
  const due = useQuery({ queryKey: keys.dueCalls(limit), queryFn: () => api.calls.due({ limit }), refetchInterval: REFRESH_MS, placeholderData: keepPreviousData });
  const id = useId();

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
  const all = due.data?.items ?? [];
  if (all.length === 0) return null;
  const items = all.slice(0, shown);
  // More than shown came back: more are due. At the API's limit nothing more can be asked for.
  const more = all.length > shown;
  const mayBeMore = !more && all.length >= PAGE_LIMIT_MAX;
  return (
    <section className="panel callback" aria-labelledby="callback-heading">
      <h2 id="callback-heading" className="panel__title">
        Call back <span className="callback__count">({more || mayBeMore ? `${items.length}+` : items.length})</span>
      </h2>
      <ul className="list" aria-label="Clients to call back">
        {items.map(({ client, last_call }) => {
          const at = new Date(last_call.call_back_at!);
          const item = `${id}-${client.id}`;
          return (
            <li key={client.id} className="list__item callback__item">
              <Link to={`/clients/${client.id}`} className="callback__link" aria-describedby={last_call.notes ? `${item}-phone ${item}-notes` : `${item}-phone`}>
                <span className="list__primary">{client.name}</span>{' '}
                <span className="list__secondary callback__when">
                  asked for {formatDayShort(at)}, {formatTime(at)}
                </span>
              </Link>
              <span id={`${item}-phone`} className="list__secondary tabular">
                {formatPhone(client.phone)}
              </span>
              {last_call.notes ? (
                <span id={`${item}-notes`} className="list__notes callback__notes">
                  {last_call.notes}
                </span>
              ) : null}
            </li>
          );
        })}
      </ul>
      {more ? (
        <p className="callback__more">
          {items.length} shown, more due.{' '}
          <button type="button" className="link-button" onClick={() => setShown(Math.min(shown + CALL_BACK_STEP, PAGE_LIMIT_MAX))}>
            Show more
          </button>
        </p>
      ) : mayBeMore ? (
        <p className="callback__more">{items.length} shown, more may be due: record the calls above to make room.</p>
      ) : null}
    </section>
  );
}
