import { createClient, type AgentCallerClient } from '@agentcaller/sdk';
import { createContext, useContext, type ReactNode } from 'react';

/**
 * The app's one way to the API. `cookieSession`: the session token lives in an HttpOnly cookie
 * that page scripts cannot read; the SDK sends it with every call and adds the CSRF header on writes.
 */
export function createApi(baseUrl: string = import.meta.env.VITE_API_BASE_URL ?? ''): AgentCallerClient {
  return createClient({ baseUrl, cookieSession: true });
}

const ApiContext = createContext<AgentCallerClient | null>(null);

export function ApiProvider({ api, children }: { api: AgentCallerClient; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): AgentCallerClient {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi() needs an <ApiProvider> above it');
  return api;
}
