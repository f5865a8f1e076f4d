import type { Client } from '@agentcaller/sdk';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useApi } from '../api';
import { Pagination } from '../components/Pagination';
import { Alert, EmptyState, PageHeader, Spinner } from '../components/ui';
import { describeError } from '../lib/errors';
import { formatDate } from '../lib/format';
import { keys } from '../lib/queryKeys';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useMediaQuery } from '../lib/useMediaQuery';
import { ClientFormDialog } from './ClientFormDialog';
import { DeleteClientDialog } from './DeleteClientDialog';
import { formatPhone } from '../lib/phone';

const CLIENTS_PER_PAGE = 20;
const SEARCH_DELAY_MS = 300;

type Dialog = { kind: 'add' } | { kind: 'edit'; client: Client } | { kind: 'delete'; client: Client } | null;

export default function ClientsPage() {
  useDocumentTitle('Clients');
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const offset = Math.max(0, Number.parseInt(params.get('offset') ?? '0', 10) || 0);
  const [text, setText] = useState(q);
  // `?new=1` (the empty calendar's second step) opens the form at once.
  const [dialog, setDialog] = useState<Dialog>(() => (params.get('new') === '1' ? { kind: 'add' } : null));
  const wide = useMediaQuery('(min-width: 720px)');

  // The search goes into the address once typing pauses (so reload and back keep it, and one
  // request is made, not one per key), and starts again at page one.
  const typing = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(typing.current), []);
  const onSearch = (value: string) => {
    setText(value);
    clearTimeout(typing.current);
    typing.current = setTimeout(() => {
      const search = value.trim();
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          if (search) next.set('q', search);
          else next.delete('q');
          next.delete('offset');
          return next;
        },
        { replace: true },
      );
    }, SEARCH_DELAY_MS);
  };
  // The address changed by other means (the Clients link, back): the box follows it.
  const [shownQ, setShownQ] = useState(q);
  if (q !== shownQ) {
    setShownQ(q);
    if (q !== text.trim()) setText(q);
  }

  const query = { ...(q ? { q } : {}), limit: CLIENTS_PER_PAGE, offset };
  const list = useQuery({
    queryKey: keys.clientList(query),
    queryFn: () => api.clients.list(query),
    placeholderData: keepPreviousData,
  });

  const goTo = (nextOffset: number) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (nextOffset > 0) next.set('offset', String(nextOffset));
      else next.delete('offset');
      return next;
    });

  const page = list.data;
  return (
    <div className="page">
      <PageHeader title="Clients" subtitle="The people your agent calls.">
        <button type="button" className="button button--primary" onClick={() => setDialog({ kind: 'add' })}>
          Add client
        </button>
      </PageHeader>

      <div className="toolbar">
        <div className="search">
          <label htmlFor="client-search" className="visually-hidden">
            Search clients
          </label>
          <input id="client-search" type="search" className="search__input" placeholder="Search by name or phone" value={text} onChange={(e) => onSearch(e.target.value)} autoComplete="off" />
          {list.isFetching && page ? <Spinner label="Searching…" inline /> : null}
        </div>
      </div>

      {list.isPending ? (
        <Spinner label="Loading clients…" />
      ) : list.isError ? (
        <Alert title="Could not load your clients">
          {describeError(list.error)}{' '}
          <button type="button" className="link-button" onClick={() => void list.refetch()}>
            Try again
          </button>
        </Alert>
      ) : page && page.items.length === 0 ? (
        offset > 0 ? (
          <EmptyState
            title="Nothing on this page"
            action={
              <button type="button" className="button" onClick={() => goTo(0)}>
                Go to the first page
              </button>
            }
          />
        ) : q ? (
          <EmptyState title={`No clients match “${q}”`}>Try part of a name, or a few digits of a phone number.</EmptyState>
        ) : (
          <EmptyState
            title="No clients yet"
            action={
              <button type="button" className="button button--primary" onClick={() => setDialog({ kind: 'add' })}>
                Add your first client
              </button>
            }
          >
            Add the people your agent should call; their appointments appear in the calendar.
          </EmptyState>
        )
      ) : page ? (
        <>
          {wide ? (
            <table className="table">
              <caption className="visually-hidden">Clients{q ? ` matching “${q}”` : ''}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Phone</th>
                  <th scope="col">Added</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((client) => (
                  <tr key={client.id}>
                    <td>
                      <Link to={`/clients/${client.id}`} className="table__primary">
                        {client.name}
                      </Link>
                    </td>
                    <td className="tabular">{formatPhone(client.phone)}</td>
                    <td className="muted">{formatDate(new Date(client.created_at))}</td>
                    <td className="table__actions">
                      <RowActions client={client} onEdit={() => setDialog({ kind: 'edit', client })} onDelete={() => setDialog({ kind: 'delete', client })} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <ul className="cards" aria-label="Clients">
              {page.items.map((client) => (
                <li key={client.id} className="card card--row">
                  <div className="card__main">
                    <Link to={`/clients/${client.id}`} className="card__title">
                      {client.name}
                    </Link>
                    <span className="tabular muted">{formatPhone(client.phone)}</span>
                  </div>
                  <RowActions client={client} onEdit={() => setDialog({ kind: 'edit', client })} onDelete={() => setDialog({ kind: 'delete', client })} />
                </li>
              ))}
            </ul>
          )}
          <Pagination label="Client pages" offset={page.offset} limit={page.limit} total={page.total} onPage={goTo} />
        </>
      ) : null}

      {dialog?.kind === 'add' ? <ClientFormDialog onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'edit' ? <ClientFormDialog client={dialog.client} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'delete' ? <DeleteClientDialog client={dialog.client} onClose={() => setDialog(null)} /> : null}
    </div>
  );
}

function RowActions({ client, onEdit, onDelete }: { client: Client; onEdit: () => void; onDelete: () => void }) {
  return (
    <div className="row-actions">
      <button type="button" className="button button--small" onClick={onEdit} aria-label={`Edit ${client.name}`}>
        Edit
      </button>
      <button type="button" className="button button--small button--danger-ghost" onClick={onDelete} aria-label={`Delete ${client.name}`}>
        Delete
      </button>
    </div>
  );
}
