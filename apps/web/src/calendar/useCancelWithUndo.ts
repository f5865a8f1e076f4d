import { isApiError, type Appointment } from '@agentcaller/sdk';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api';
import { useToast } from '../components/Toaster';
import { describeError } from '../lib/errors';
import { keys } from '../lib/queryKeys';

/**
 * Cancels an appointment (it stays, cancelled: its time is free) and offers "Undo" in the toast,
 * which sets it back to scheduled; if the time was taken meanwhile the API refuses (409) and the
 * toast says so.
 */
export function useCancelWithUndo(onDone: () => void) {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const refresh = () =>
    Promise.all([queryClient.invalidateQueries({ queryKey: keys.appointments }), queryClient.invalidateQueries({ queryKey: keys.availability })]);

  const undo = async (cancelled: Appointment) => {
    try {
      const restored = await api.appointments.update(cancelled.id, { status: 'scheduled' });
      queryClient.setQueryData(keys.appointment(restored.id), restored);
      toast(`Restored the appointment with ${restored.client.name}.`);
    } catch (err) {
      toast(isApiError(err) && err.type === '/problems/appointment-conflict' ? 'That time was booked meanwhile: the appointment stays cancelled.' : `Could not undo: ${describeError(err)}`);
    } finally {
      await refresh();
    }
  };

  return useMutation({
    mutationFn: (existing: Appointment) => api.appointments.cancel(existing.id),
    onSuccess: async (cancelled) => {
      queryClient.setQueryData(keys.appointment(cancelled.id), cancelled);
      await refresh();
      toast(`Cancelled the appointment with ${cancelled.client.name}.`, { label: 'Undo', run: () => void undo(cancelled) });
      onDone();
    },
  });
}
