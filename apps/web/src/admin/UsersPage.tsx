import { isApiError, type AdminUser } from '@agentcaller/sdk';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useApi } from '../api';
import { useSession } from '../auth/session';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Pagination } from '../components/Pagination';
import { Alert, EmptyState, PageHeader, Spinner } from '../components/ui';
import { useToast } from '../components/Toaster';
import { describeError } from '../lib/errors';
import { formatDate } from '../lib/format';
import { keys } from '../lib/queryKeys';
import { useDebouncedValue } from '../lib/useDebouncedValue';
import { useDocumentTitle } from '../lib/useDocumentTitle';

const USERS_PER_PAGE = 20;

type Change = { user: AdminUser; body: { is_active?: boolean; is_superuser?: boolean }; done: string };

/** Administrators only: every account, with deactivate, reactivate, grant and delete. */
export default function UsersPage() {
  useDocumentTitle('Users');
  const api = useApi();
  const session = useSession();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [text, setText] = useState('');
  const q = useDebouncedValue(text.trim(), 300);
  const [offset, setOffset] = useState(0);
  const [deleting, setDeleting] = useState<AdminUser | null>(null);
  const [deactivating, setDeactivating] = useState<AdminUser | null>(null);
  /** Each row's Deactivate/Reactivate button, by user id: the focus stays on it after it toggles. */
  const toggles = useRef(new Map<number, HTMLButtonElement>());
  const refocus = useRef<number | null>(null);

  const query = { ...(q ? { q } : {}), limit: USERS_PER_PAGE, offset };
  const list = useQuery({ queryKey: keys.adminUserList(query), queryFn: () => api.admin.users.list(query), placeholderData: keepPreviousData });
  const notAdmin = isApiError(list.error) && list.error.type === '/problems/admin-required';

  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.adminUsers });
  /** Administration taken away meanwhile: the page and its link go. */
  const onRefused = (err: unknown) => {
    if (isApiError(err) && err.type === '/problems/admin-required') void queryClient.invalidateQueries({ queryKey: keys.me });
  };
  const change = useMutation({
    mutationFn: ({ user, body }: Change) => api.admin.users.update(user.id, body),
    onSuccess: (_user, { user, body, done }) => {
      toast(done);
      if (body.is_active !== undefined) refocus.current = user.id;
      void refresh();
    },
    onError: (err) => {
      toast(describeError(err));
      onRefused(err);
    },
  });
  const remove = useMutation({
    mutationFn: (user: AdminUser) => api.admin.users.delete(user.id),
    onSuccess: (_none, user) => {
      setDeleting(null);
      toast(`${user.email} was deleted.`);
      void refresh();
    },
    onError: onRefused,
  });

  const busy = change.isPending ? change.variables.user.id : null;
  // Once the toggled button is enabled again (the same element, about to read Reactivate or Deactivate).
  useEffect(() => {
    if (refocus.current === null || busy !== null) return;
    toggles.current.get(refocus.current)?.focus();
    refocus.current = null;
  }, [busy, list.data]);

  if (notAdmin) {
    return (
      <div className="page">
        <PageHeader title="Users" />
        <Alert title="Only administrators can see this page">Ask an administrator of AgentCaller to grant you access.</Alert>
      </div>
    );
  }
  const page = list.data;
  return (
    <div className="page">
      <PageHeader title="Users" subtitle="Every account of this AgentCaller. Deactivating one ends its sessions and API keys at once." />
      <div className="toolbar">
        <div className="search">
          <label htmlFor="user-search" className="visually-hidden">
            Search users
          </label>
          <input
            id="user-search"
            type="search"
            className="search__input"
            placeholder="Search by email"
            value={text}
            autoComplete="off"
            onChange={(e) => {
              setText(e.target.value);
              setOffset(0);
            }}
          />
          {list.isFetching && page ? <Spinner label="Searching…" inline /> : null}
        </div>
      </div>
      {list.isPending ? (
        <Spinner label="Loading users…" />
      ) : list.isError ? (
        <Alert title="Could not load the users">{describeError(list.error)}</Alert>
      ) : page && page.items.length === 0 ? (
        <EmptyState title={q ? `No account matches “${q}”` : 'No accounts'} />
      ) : page ? (
        <>
          <ul className="cards" aria-label="Users">
            {page.items.map((user) => {
              const self = user.id === session.user?.id;
              return (
                <li key={user.id} className="card card--row">
                  <div className="card__main">
                    <span className="card__title">{user.email}</span>
                    <span className="muted">
                      {user.is_active ? 'Active' : 'Deactivated'}
                      {user.is_superuser ? ' · Administrator' : ''}
                      {self ? ' · You' : ''} · since {formatDate(new Date(user.created_at))}
                    </span>
                  </div>
                  <div className="row-actions">
                    <button
                      type="button"
                      className="button button--small"
                      disabled={busy === user.id}
                      aria-label={`${user.is_superuser ? 'Remove administrator' : 'Make administrator'}: ${user.email}`}
                      onClick={() => change.mutate({ user, body: { is_superuser: !user.is_superuser }, done: `${user.email} ${user.is_superuser ? 'no longer administers' : 'is now an administrator'}.` })}
                    >
                      {user.is_superuser ? 'Remove admin' : 'Make admin'}
                    </button>
                    <button
                      type="button"
                      className="button button--small"
                      ref={(button) => {
                        if (button) toggles.current.set(user.id, button);
                        else toggles.current.delete(user.id);
                      }}
                      disabled={busy === user.id}
                      aria-label={`${user.is_active ? 'Deactivate' : 'Reactivate'} ${user.email}`}
                      onClick={() => (user.is_active ? setDeactivating(user) : change.mutate({ user, body: { is_active: true }, done: `${user.email} was reactivated.` }))}
                    >
                      {user.is_active ? 'Deactivate' : 'Reactivate'}
                    </button>
                    <button type="button" className="button button--small button--danger-ghost" aria-label={`Delete ${user.email}`} onClick={() => setDeleting(user)}>
                      Delete
                    </button>
                  </div>
                </li>
              );
            })}
          </ul>
          <Pagination label="User pages" offset={page.offset} limit={page.limit} total={page.total} onPage={setOffset} />
        </>
      ) : null}
      {deactivating ? (
        <ConfirmDialog
          title={`Deactivate ${deactivating.email}?`}
          confirmLabel="Deactivate account"
          onConfirm={() => {
            change.mutate({ user: deactivating, body: { is_active: false }, done: `${deactivating.email} was deactivated.` });
            setDeactivating(null);
          }}
          onCancel={() => setDeactivating(null)}
        >
          Its sessions and API keys stop working at once, and it cannot sign in until reactivated.
        </ConfirmDialog>
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete ${deleting.email}?`}
          confirmLabel="Delete account"
          onConfirm={() => remove.mutate(deleting)}
          onCancel={() => {
            setDeleting(null);
            remove.reset();
          }}
          busy={remove.isPending}
          error={remove.error ? describeError(remove.error) : null}
        >
          The account goes with its clients, appointments, calls, schedule and API keys. This cannot be undone.
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
