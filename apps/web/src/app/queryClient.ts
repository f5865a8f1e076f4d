import { isApiError } from '@agentcaller/sdk';
import { QueryClient } from '@tanstack/react-query';

/** Server state: retried only when the failure may pass (no answer, or a 5xx); never a 4xx. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        retry: (failures, error) => !(isApiError(error) && error.status < 500) && failures < 2,
      },
      mutations: { retry: false },
    },
  });
}
