import { isApiError, type Me } from '@agentcaller/sdk';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useApi } from '../api';
import { SESSION_ENDED_MESSAGE } from '../lib/errors';
import { keys } from '../lib/queryKeys';

type SessionStatus = 'loading' | 'signed-in' | 'signed-out' | 'unavailable';

/** What the sign-in page says about how the last session ended. */
export interface SessionNotice {
  text: string;
  tone: 'warning' | 'info';
}

export interface SessionValue {
  status: SessionStatus;
  user: Me | null;
  /** Why the person is on the sign-in page (an expired session, a sign-out). */
  notice: SessionNotice | null;
  /** Why the session could not be checked (status 'unavailable'). */
  error: unknown;
  retry: () => void;
  /** After sign-in or sign-up: the cookie is set, this is the user. */
  signedIn(user: Me): void;
  /** Forget everything cached for this user; `notice` tells them why. */
  end(notice?: SessionNotice | null): void;
}

const SessionContext = createContext<SessionValue | null>(null);

/**
 * The browser session. Whether the HttpOnly cookie is alive is known only by asking the API
 * (`GET /v1/auth/me`); any 401 from any call later ends the session with a message.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<SessionNotice | null>(null);

  const me = useQuery({
    queryKey: keys.me,
    queryFn: async (): Promise<Me | null> => {
      try {
        return await api.auth.me();
      } catch (err) {
        // No session, an expired or revoked one, or an account that was deactivated.
        if (isApiError(err) && (err.status === 401 || err.status === 403)) return null;
        throw err;
      }
    },
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });

  const end = useCallback(
    (message: SessionNotice | null = null) => {
      void queryClient.cancelQueries();
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== keys.me[0] });
      queryClient.getMutationCache().clear();
      queryClient.setQueryData(keys.me, null);
      setNotice(message);
    },
    [queryClient],
  );

  const signedIn = useCallback(
    (user: Me) => {
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== keys.me[0] });
      queryClient.setQueryData(keys.me, user);
      setNotice(null);
    },
    [queryClient],
  );

  // Any call that answers 401 while someone is signed in: the session expired or was revoked.
  useEffect(() => {
    const onError = (error: unknown) => {
      if (!isApiError(error) || !queryClient.getQueryData(keys.me)) return;
      // 401: expired or revoked. A refused CSRF token means the readable cookie no longer
      // matches the session (it expired first, or was cleared): signing in again mends both.
      // Decided by the problem's `type` (README, "Problem types"), never by its wording.
      if (error.status === 401 || error.type === '/problems/csrf-rejected') end({ text: SESSION_ENDED_MESSAGE, tone: 'warning' });
      else if (error.type === '/problems/inactive-account') end({ text: 'This account has been deactivated.', tone: 'warning' });
    };
    const stopQueries = queryClient.getQueryCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error') onError(event.action.error);
    });
    const stopMutations = queryClient.getMutationCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error') onError(event.action.error);
    });
    return () => {
      stopQueries();
      stopMutations();
    };
  }, [queryClient, end]);

  const { refetch } = me;
  const value = useMemo<SessionValue>(() => {
    const status: SessionStatus = me.data ? 'signed-in' : me.data === null ? 'signed-out' : me.isError ? 'unavailable' : 'loading';
    return { status, user: me.data ?? null, notice, error: me.error, retry: () => void refetch(), signedIn, end };
  }, [me.data, me.isError, me.error, notice, refetch, signedIn, end]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() needs a <SessionProvider> above it');
  return session;
}
