import { CLIENT_NAME_MAX, type Client } from '@agentcaller/sdk';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useForm, useWatch } from 'react-hook-form';
import { useApi } from '../api';
import { Field } from '../components/Field';
import { Modal } from '../components/Modal';
import { useToast } from '../components/Toaster';
import { Alert } from '../components/ui';
import { serverErrors } from '../lib/errors';
import { keys } from '../lib/queryKeys';
import { e164Of, formatPhone, phoneHelp, phoneHint, phoneToSend } from '../lib/phone';
import { useDebouncedValue } from '../lib/useDebouncedValue';

interface ClientValues {
  name: string;
  phone: string;
}

const FIELDS = { name: 'name', phone: 'phone' } as const;

/** Add a client, or edit one (`client` given). */
export function ClientFormDialog({ client, onClose, onSaved }: { client?: Client; onClose: () => void; onSaved?: (client: Client) => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const { register, handleSubmit, setError, formState, control } = useForm<ClientValues>({
    defaultValues: { name: client?.name ?? '', phone: client ? formatPhone(client.phone, null) : '' },
  });
  // A number that already belongs to another client: said, not refused (families share phones).
  const typed = useDebouncedValue(e164Of(useWatch({ control, name: 'phone' })), 300);
  const sameNumber = useQuery({
    queryKey: keys.clientList({ q: typed ?? '', limit: 5 }),
    queryFn: () => api.clients.list({ q: typed ?? '', limit: 5 }),
    enabled: typed !== undefined,
    staleTime: 10_000,
  });
  const others = typed === undefined ? [] : (sameNumber.data?.items ?? []).filter((c) => c.phone === typed && c.id !== client?.id);

  const save = useMutation({
    mutationFn: (values: ClientValues) => {
      const body = { name: values.name.trim(), phone: phoneToSend(values.phone) };
      return client ? api.clients.update(client.id, body) : api.clients.create(body);
    },
    onSuccess: async (saved) => {
      queryClient.setQueryData(keys.client(saved.id), saved);
      // Appointments embed the client's name and phone.
      await Promise.all([queryClient.invalidateQueries({ queryKey: keys.clients }), queryClient.invalidateQueries({ queryKey: keys.appointments })]);
      toast(client ? `Saved ${saved.name}.` : `Added ${saved.name}.`);
      onSaved?.(saved);
      onClose();
    },
    onError: (err) => {
      const { fields } = serverErrors(err, FIELDS);
      // The server's wording names E.164; people get a sentence with examples instead.
      if (fields.phone) fields.phone = phoneHelp();
      for (const [field, message] of Object.entries(fields) as [keyof ClientValues, string][]) setError(field, { type: 'server', message });
    },
  });
  const problem = save.error ? serverErrors(save.error, FIELDS).message : null;

  return (
    <Modal title={client ? `Edit ${client.name}` : 'Add a client'} onClose={onClose}>
      <form className="form" noValidate onSubmit={(event) => void handleSubmit((values) => save.mutate(values))(event)}>
        {problem ? <Alert>{problem}</Alert> : null}
        <Field label="Name" error={formState.errors.name?.message}>
          <input
            type="text"
            autoComplete="off"
            {...register('name', {
              validate: (v) => (v.trim().length === 0 ? 'Enter the client’s name.' : [...v.trim()].length > CLIENT_NAME_MAX ? `Use at most ${CLIENT_NAME_MAX} characters.` : true),
            })}
          />
        </Field>
        <Field label="Phone" error={formState.errors.phone?.message} hint={phoneHint()}>
          <input type="tel" autoComplete="off" inputMode="tel" {...register('phone', { validate: (v) => (v.trim().length === 0 ? 'Enter a phone number.' : true) })} />
        </Field>
        {others.length > 0 ? (
          <p className="booking-warning" role="status">
            This number already belongs to {others.map((c) => c.name).join(', ')}. You can still save it.
          </p>
        ) : null}
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={save.isPending} aria-busy={save.isPending}>
            {save.isPending ? 'Saving…' : client ? 'Save changes' : 'Add client'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
