import { API_KEY_NAME_MAX, type ApiKey, type CreatedApiKey } from '@agentcaller/sdk';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useApi } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Field } from '../components/Field';
import { Alert, Spinner } from '../components/ui';
import { describeError, serverErrors } from '../lib/errors';
import { formatDate, formatDayShort, formatTime } from '../lib/format';
import { keys } from '../lib/queryKeys';

const FIELDS = { name: 'name' } as const;

/**
 * Keys for programs (the phone agent): create one (shown once, with a copy button), see when each
 * was last used, revoke one after a confirmation.
 */
export function ApiKeysSection() {
  const api = useApi();
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: keys.apiKeys, queryFn: () => api.apiKeys.list() });
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const { register, handleSubmit, setError, reset, formState } = useForm<{ name: string }>({ defaultValues: { name: '' } });

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
    onSuccess: () => {
      setRevoking(null);
      void queryClient.invalidateQueries({ queryKey: keys.apiKeys });
    },
  });
  const createProblem = create.error && !serverErrors(create.error, FIELDS).fields.name ? serverErrors(create.error, FIELDS).message : null;

  return (
    <section className="settings-section" aria-labelledby="api-keys-heading">
      <h2 id="api-keys-heading" className="settings-section__title">
        API keys
      </h2>
      <p className="muted">
        Programs such as your phone agent sign in with a key instead of your password. A key can work with clients, appointments, availability and calls, never with
        your account. Changing your password does not stop a key: revoke it here.
      </p>

      {created ? <NewKey created={created} onDone={() => setCreated(null)} /> : null}

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
          <button type="submit" className="button button--primary" disabled={create.isPending} aria-busy={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create key'}
          </button>
        </div>
      </form>

      <div className="settings-form">
        <h3 className="settings-section__subtitle">Your keys</h3>
        {list.isPending ? (
          <Spinner label="Loading keys…" />
        ) : list.isError ? (
          <Alert>{describeError(list.error)}</Alert>
        ) : list.data.items.length === 0 ? (
          <p className="muted">No keys yet.</p>
        ) : (
          <table className="keys-table">
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
                  <td>{key.name}</td>
                  <td>
                    <code>{key.prefix}…</code>
                  </td>
                  <td>{formatDate(new Date(key.created_at))}</td>
                  <td>{key.last_used_at ? `${formatDayShort(new Date(key.last_used_at))}, ${formatTime(new Date(key.last_used_at))}` : 'Never'}</td>
                  <td>
                    <button type="button" className="button button--danger-ghost" onClick={() => setRevoking(key)} aria-label={`Revoke ${key.name}`}>
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
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
  return (
    <div className="new-key" role="region" aria-label="Your new key">
      <Alert tone="warning" title={`Key “${created.name}” created`}>
        Copy it now and store it where your program reads it: it is shown only this once.
      </Alert>
      <div className="new-key__row">
        <input className="new-key__value" readOnly value={created.key} aria-label="New API key" onFocus={(e) => e.currentTarget.select()} />
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
