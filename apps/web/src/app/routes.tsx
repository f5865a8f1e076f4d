import { lazy } from 'react';
import { Navigate, type RouteObject } from 'react-router';
import { PublicOnly, RequireSession } from '../auth/guards';
import { SignInPage } from '../auth/SignInPage';
import { SignUpPage } from '../auth/SignUpPage';
import { ForgotPasswordPage } from '../auth/ForgotPasswordPage';
import { ResetPasswordPage } from '../auth/ResetPasswordPage';
import { AppShell } from './AppShell';
import { NotFoundPage } from './NotFoundPage';

// The signed-in pages load on demand, so the sign-in page comes up with the smallest download.
const CalendarPage = lazy(() => import('../calendar/CalendarPage'));
const ClientsPage = lazy(() => import('../clients/ClientsPage'));
const ClientPage = lazy(() => import('../clients/ClientPage'));
const SettingsPage = lazy(() => import('../settings/SettingsPage'));
const UsersPage = lazy(() => import('../admin/UsersPage'));

export const routes: RouteObject[] = [
  // Signed in or not: a reset link may be opened in a browser that holds a session (it ends it).
  { path: '/forgot-password', element: <ForgotPasswordPage /> },
  { path: '/reset-password', element: <ResetPasswordPage /> },
  {
    element: <PublicOnly />,
    children: [
      { path: '/sign-in', element: <SignInPage /> },
      { path: '/sign-up', element: <SignUpPage /> },
    ],
  },
  {
    element: <RequireSession />,
    children: [
      {
        element: <AppShell />,
        children: [
          { index: true, element: <Navigate to="/calendar" replace /> },
          { path: '/calendar', element: <CalendarPage /> },
          { path: '/clients', element: <ClientsPage /> },
          { path: '/clients/:clientId', element: <ClientPage /> },
          { path: '/settings', element: <SettingsPage /> },
          { path: '/users', element: <UsersPage /> },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
];
