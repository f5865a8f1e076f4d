import type { ReactNode } from 'react';
import { Logo } from '../components/Logo';
import { Alert } from '../components/ui';

export function AuthLayout({ title, subtitle, children, footer }: { title: string; subtitle: string; children: ReactNode; footer: ReactNode }) {
  return (
    <div className="auth">
      <main className="auth__card" id="main">
        <div className="auth__brand">
          <Logo size={36} />
          <span className="auth__brand-name">AgentCaller</span>
        </div>
        <h1 className="auth__title">{title}</h1>
        <p className="auth__subtitle">{subtitle}</p>
        {insecure() ? (
          <Alert tone="warning" title="This page needs HTTPS">
            It was opened over plain HTTP at {window.location.host}. Browsers keep the sign-in cookie only on HTTPS pages (and at
            localhost), so signing in here cannot work. Open it at its https:// address.
          </Alert>
        ) : null}
        {children}
        <p className="auth__footer">{footer}</p>
      </main>
    </div>
  );
}

/**
 * The session lives in a `Secure` cookie, which a browser keeps only in a secure context (HTTPS, or
 * localhost): served over plain HTTP under any other name, signing in "works" and is forgotten at
 * once. Said before anyone tries (`isSecureContext` is false there, true or absent elsewhere).
 */
function insecure(): boolean {
  return typeof window !== 'undefined' && window.isSecureContext === false;
}
