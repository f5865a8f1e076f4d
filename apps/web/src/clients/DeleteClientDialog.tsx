import type { Client } from '@agentcaller/sdk';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { useApi } from '../api';
import { useToast } from '../components/Toaster';
import { describeError } from '../lib/errors';
import { keys } from '../lib/queryKeys';

export function DeleteClientDialog({ client, onClose, onDeleted }: { client: Client; onClose: () => void; onDeleted?: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const remove = useMutation({
    mutationFn: () => api.clients.delete(client.id),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: keys.client(client.id) });
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: keys.clients }),
        queryClient.invalidateQueries({ queryKey: keys.appointments }),
        queryClient.invalidateQueries({ queryKey: keys.availability }),
      ]);
      toast(`Deleted ${client.name}.`);
      onClose();
      onDeleted?.();
    },
  });
  return (
    <ConfirmDialog
      title={`Delete ${client.name}?`}
      confirmLabel="Delete client"
      onConfirm={() => remove.mutate()}
      onCancel={onClose}
      busy={remove.isPending}
      error={remove.error ? describeError(remove.error) : null}
    >
      <p>Their appointments are deleted too. This cannot be undone.</p>
    </ConfirmDialog>
  );
}
