import { Link } from 'react-router';
import { EmptyState } from '../components/ui';

export function NotFoundPage() {
  return (
    <>
      <h1 className="visually-hidden">Page not found</h1>
      <EmptyState title="This page does not exist" action={<Link className="button button--primary" to="/calendar">Go to the calendar</Link>}>
      The link may be old, or the address mistyped.
      </EmptyState>
    </>
  );
}
