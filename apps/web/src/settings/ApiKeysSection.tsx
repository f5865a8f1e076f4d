import { API_KEY_NAME_MAX, type ApiKey, type ApiKeyList, type CreatedApiKey } from '@agentcaller/sdk';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useApi } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Field } from '../components/Field';
import { Alert, Spinner } from '../components/ui';
import { describeError, serverErrors } from '../lib/errors';
import { formatDate, formatDayShort, formatTime } from '../lib/format';
import { keys } from '../lib/queryKeys';
import { useMediaQuery } from '../lib/useMediaQuery';

const FIELDS = { name: 'name' } as const;

/** Where the focus goes once the page shows what was done: a key's Revoke button, the list's heading, the Create button. */
type FocusTarget = { revoke: number } | 'list' | 'create';

/** Last use as shown: day and time, or "Never". */
function lastUsed(key: ApiKey): string {
  return key.last_used_at ? `${formatDayShort(new Date(key.last_used_at))}, ${formatTime(new Date(key.last_used_at))}` : 'Never';
}

/**
 * Keys for programs (the phone agent): create one (shown once, with a copy button), see when each
 * was last used, revoke one after a confirmation. A table on wide screens, one card per key on
 * phones. The focus follows what happened: to the new key once created, back to "Create key" after
 * "Done", and after a revocation to the next key's Revoke button (the previous one's for the last
 * key, the list's heading once none is left), never to the page itself.
 */
export function ApiKeysSection() {
  const api = useApi();
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: keys.apiKeys, queryFn: () => api.apiKeys.list() });
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const { register, handleSubmit, setError, reset, formState } = useForm<{ name: string }>({ defaultValues: { name: '' } });
  const wide = useMediaQuery('(min-width: 720px)');
  const section = useRef<HTMLElement>(null);
  const createButton = useRef<HTMLButtonElement>(null);
  const listHeading = useRef<HTMLHeadingElement>(null);
  // Set by an action, taken by the render that shows its outcome (after a closing dialog has given
  // the focus back to the button that opened it, which may be about to disappear).
  const pendingFocus = useRef<FocusTarget | null>(null);
  useEffect(() => {
    const target = pendingFocus.current;
    if (!target) return;
    const element =
      target === 'create'
        ? createButton.current
        : target === 'list'
          ? listHeading.current
          : section.current?.querySelector<HTMLElement>(`[data-revoke="${target.revoke}"]`);
    if (element) {
      pendingFocus.current = null;
      element.focus();
    }
  });

  const create = useMutation({
    mutationFn: (values: { name: string }) => api.apiKeys.create(values),
    onSuccess: (key) => {
      setCreated(key);
      reset();
      void queryClient.invalidateQueries({ queryKey: keys.apiKeys });
    },
    onError: (err) => {
      const { fields } = serverErrors(err, FIELDS);
      if (fields.name) setError('name', { type: 'server', message: fields.name });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: number) => api.apiKeys.revoke(id),
    onSuccess: (_, id) => {
      const items = list.data?.items ?? [];
      const at = items.findIndex((key) => key.id === id);
      const neighbour = items[at + 1] ?? items[at - 1];
      pendingFocus.current = neighbour ? { revoke: neighbour.id } : 'list';
      // Gone from the page at once (with the dialog), then read again.
      queryClient.setQueryData<ApiKeyList>(keys.apiKeys, (old) => (old ? { items: old.items.filter((key) => key.id !== id) } : old));
      // The key just shown once is dead now: its box would offer a key that no longer works.
      setCreated((shown) => (shown?.id === id ? null : shown));
      setRevoking(null);
      void queryClient.invalidateQueries({ queryKey: keys.apiKeys });
    },
  });
  const revokeButton = (key: ApiKey) => (
    <button type="button" className="button button--danger-ghost" onClick={() => setRevoking(key)} aria-label={`Revoke ${key.name}`} data-revoke={key.id}>
      Revoke
    </button>
  );
  const createProblem = create.error && !serverErrors(create.error, FIELDS).fields.name ? serverErrors(create.error, FIELDS).message : null;

  return (
    <section className="settings-section" aria-labelledby="api-keys-heading" ref={section}>
      <h2 id="api-keys-heading" className="settings-section__title">
        API keys
      </h2>
      <p className="muted">
        Programs such as your phone agent sign in with a key instead of your password. A key can work with clients, appointments, availability and calls, never with
        your account. Changing your password does not stop a key: revoke it here.
      </p>

      {created ? (
        <NewKey
          key={created.id}
          created={created}
          onDone={() => {
            pendingFocus.current = 'create';
            setCreated(null);
          }}
        />
      ) : null}

      <form className="form settings-form" noValidate onSubmit={(event) => void handleSubmit((values) => create.mutate(values))(event)}>
        <h3 className="settings-section__subtitle">Create a key</h3>
        {createProblem ? <Alert>{createProblem}</Alert> : null}
        <Field label="Key name" error={formState.errors.name?.message} hint="What the key is for, e.g. “phone agent”.">
          <input
            type="text"
            autoComplete="off"
            maxLength={API_KEY_NAME_MAX}
            {...register('name', { validate: (v) => (v.trim() === '' ? 'Give the key a name.' : v.trim().length > API_KEY_NAME_MAX ? `Use at most ${API_KEY_NAME_MAX} characters.` : true) })}
          />
        </Field>
        <div className="form-actions">
          <button type="submit" className="button button--primary" disabled={create.isPending} aria-busy={create.isPending} ref={createButton}>
            {create.isPending ? 'Creating…' : 'Create key'}
          </button>
        </div>
      </form>

      <div className="settings-form">
        <h3 className="settings-section__subtitle" id="api-keys-list-heading" tabIndex={-1} ref={listHeading}>
          Your keys
        </h3>
        {list.isPending ? (
          <Spinner label="Loading keys…" />
        ) : list.isError ? (
          <Alert>{describeError(list.error)}</Alert>
        ) : list.data.items.length === 0 ? (
          <p className="muted">No keys yet.</p>
        ) : wide ? (
          <table className="keys-table" aria-labelledby="api-keys-list-heading">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((key) => (
                <tr key={key.id}>
                  <td className="keys-table__name">{key.name}</td>
                  <td>
                    <code>{key.prefix}…</code>
                  </td>
                  <td>{formatDate(new Date(key.created_at))}</td>
                  <td>{lastUsed(key)}</td>
                  <td>{revokeButton(key)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <ul className="cards" aria-labelledby="api-keys-list-heading">
            {list.data.items.map((key) => (
              <li key={key.id} className="card key-card">
                <span className="card__title key-card__name">{key.name}</span>
                <dl className="key-card__facts">
                  <dt>Key</dt>
                  <dd>
                    <code>{key.prefix}…</code>
                  </dd>
                  <dt>Created</dt>
                  <dd>{formatDate(new Date(key.created_at))}</dd>
                  <dt>Last used</dt>
                  <dd>{lastUsed(key)}</dd>
                </dl>
                {revokeButton(key)}
              </li>
            ))}
          </ul>
        )}
      </div>

      {revoking ? (
        <ConfirmDialog
          title={`Revoke “${revoking.name}”?`}
          confirmLabel="Revoke key"
          onConfirm={() => revoke.mutate(revoking.id)}
          onCancel={() => {
            revoke.reset();
            setRevoking(null);
          }}
          busy={revoke.isPending}
          error={revoke.error ? describeError(revoke.error) : null}
        >
          Programs using the key {revoking.prefix}… are refused from now on. This cannot be undone.
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

/** The new key, shown this once, with a copy button. */
function NewKey({ created, onDone }: { created: CreatedApiKey; onDone: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  // Shown once: the focus goes to the key (which selects it), ready to copy.
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => field.current?.focus(), []);
  return (
    <div className="new-key" role="region" aria-label="Your new key">
      <Alert tone="warning" title={`Key “${created.name}” created`}>
        Copy it now and store it where your program reads it: it is shown only this once.
      </Alert>
      <div className="new-key__row">
        <input ref={field} className="new-key__value" readOnly value={created.key} aria-label="New API key" onFocus={(e) => e.currentTarget.select()} />
        <button type="button" className="button button--primary" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" className="button" onClick={onDone}>
          Done
        </button>
      </div>
      <p className="muted" role="status" aria-live="polite">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'failed' ? 'Could not copy: select the key and copy it yourself.' : ''}
      </p>
    </div>
  );
}
