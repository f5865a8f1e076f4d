import type { ReactNode } from 'react';
import { Logo } from '../components/Logo';

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
        {children}
        <p className="auth__footer">{footer}</p>
      </main>
    </div>
  );
}
