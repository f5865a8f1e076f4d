import { Navigate, Outlet, useLocation, type Location } from 'react-router';
import { Alert, Spinner } from '../components/ui';
import { describeError } from '../lib/errors';
import { useSession } from './session';

function SessionPending() {
  const session = useSession();
  if (session.status === 'unavailable') {
    return (
      <main className="center-page" id="main">
        <Alert title="AgentCaller is not answering">{describeError(session.error)}</Alert>
        <button type="button" className="button button--primary" onClick={session.retry}>
          Try again
        </button>
      </main>
    );
  }
  return (
    <main className="center-page" id="main">
      <Spinner label="Opening your workspace…" />
    </main>
  );
}

/** Pages for signed-in people; anyone else goes to sign in, and comes back here afterwards. */
export function RequireSession() {
  const session = useSession();
  const location = useLocation();
  if (session.status === 'signed-in') return <Outlet />;
  if (session.status === 'signed-out') return <Navigate to="/sign-in" replace state={{ from: location }} />;
  return <SessionPending />;
}

/** Sign-in and sign-up: a signed-in person goes on to where they were headed. */
export function PublicOnly() {
  const session = useSession();
  const location = useLocation();
  if (session.status === 'signed-out') return <Outlet />;
  if (session.status === 'signed-in') {
    const from = (location.state as { from?: Location } | null)?.from;
    const to = from && from.pathname !== '/sign-in' && from.pathname !== '/sign-up' ? `${from.pathname}${from.search}` : '/calendar';
    return <Navigate to={to} replace />;
  }
  return <SessionPending />;
}
