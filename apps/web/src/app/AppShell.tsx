import { isApiError } from '@agentcaller/sdk';
import { useMutation } from '@tanstack/react-query';
import { Suspense, useEffect, useRef } from 'react';
import { NavLink, Outlet, ScrollRestoration, useLocation } from 'react-router';
import { useApi } from '../api';
import { useSession } from '../auth/session';
import { Logo } from '../components/Logo';
import { Spinner } from '../components/ui';
import { useToast } from '../components/Toaster';
import { describeError } from '../lib/errors';

export function AppShell() {
  const api = useApi();
  const session = useSession();
  const toast = useToast();
  // On a new page, the focus moves to its content (screen readers then read the new page);
  // <ScrollRestoration> scrolls it to the top, and back to where it was on Back.
  const { pathname } = useLocation();
  const main = useRef<HTMLElement>(null);
  const shownPath = useRef(pathname);
  useEffect(() => {
    if (shownPath.current === pathname) return;
    shownPath.current = pathname;
    main.current?.focus({ preventScroll: true });
  }, [pathname]);
  const signOut = useMutation({
    mutationFn: () => api.auth.deleteSession(),
    onSettled: (_data, error) => {
      // 401: the session was already gone, which is what signing out wants.
      if (error && !(isApiError(error) && error.status === 401)) {
        toast(`Could not sign out: ${describeError(error)}`);
        return;
      }
      // The guard around the pages then shows the sign-in page.
      session.end({ text: 'You have signed out.', tone: 'info' });
    },
  });

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar__inner">
          <NavLink to="/calendar" className="brand" aria-label="AgentCaller home">
            <Logo />
            <span className="brand__name">AgentCaller</span>
          </NavLink>
          <nav className="nav" aria-label="Main">
            <NavLink to="/calendar" className="nav__link">
              Calendar
            </NavLink>
            <NavLink to="/clients" className="nav__link">
              Clients
            </NavLink>
            <NavLink to="/settings" className="nav__link">
              Settings
            </NavLink>
            {session.user?.is_superuser ? (
              <NavLink to="/users" className="nav__link">
                Users
              </NavLink>
            ) : null}
          </nav>
          <div className="account">
            <span className="account__email" title={session.user?.email}>
              {session.user?.email}
            </span>
            <button type="button" className="button button--ghost button--small" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
              {signOut.isPending ? 'Signing out…' : 'Sign out'}
            </button>
          </div>
        </div>
      </header>
      <main className="content" id="main" tabIndex={-1} ref={main}>
        <Suspense fallback={<Spinner label="Loading…" />}>
          <Outlet />
        </Suspense>
      </main>
      <ScrollRestoration />
    </div>
  );
}
