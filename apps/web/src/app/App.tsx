import type { AgentCallerClient } from '@agentcaller/sdk';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { StrictMode, useState } from 'react';
import { RouterProvider, createBrowserRouter } from 'react-router';
import { ApiProvider } from '../api';
import { SessionProvider } from '../auth/session';
import { Toaster } from '../components/Toaster';
import { routes } from './routes';

/** Everything a page needs around it: the API client, server state, the session, toasts. */
export function AppProviders({ api, queryClient, children }: { api: AgentCallerClient; queryClient: QueryClient; children: React.ReactNode }) {
  return (
    <ApiProvider api={api}>
      <QueryClientProvider client={queryClient}>
        <SessionProvider>
          <Toaster>{children}</Toaster>
        </SessionProvider>
      </QueryClientProvider>
    </ApiProvider>
  );
}

export function App({ api, queryClient }: { api: AgentCallerClient; queryClient: QueryClient }) {
  const [router] = useState(() => createBrowserRouter(routes));
  return (
    <StrictMode>
      <AppProviders api={api} queryClient={queryClient}>
        <RouterProvider router={router} />
      </AppProviders>
    </StrictMode>
  );
}
