import { useMutation } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { useApi } from '../api';
import { useSession } from '../auth/session';
import { Field } from '../components/Field';
import { Alert } from '../components/ui';
import { describeError, serverErrors } from '../lib/errors';
import { checkNewPassword, PASSWORD_HINT } from '../lib/password';

interface PasswordValues {
  current_password: string;
  new_password: string;
}

const FIELDS = { current_password: 'current_password', new_password: 'new_password' } as const;

/** Change the password, or sign out on every device: both end this session too. */
export function AccountSection() {
  const api = useApi();
  const session = useSession();
  const { register, handleSubmit, setError, formState } = useForm<PasswordValues>({ defaultValues: { current_password: '', new_password: '' } });

  const change = useMutation({
    mutationFn: (values: PasswordValues) => api.auth.changePassword(values),
    onSuccess: () => session.end({ text: 'Your password was changed. Sign in with the new one.', tone: 'info' }),
    onError: (err) => {
      const { fields } = serverErrors(err, FIELDS);
      for (const [field, message] of Object.entries(fields) as [keyof PasswordValues, string][]) setError(field, { type: 'server', message });
    },
  });
  const everywhere = useMutation({
    mutationFn: () => api.auth.logoutAll(),
    onSuccess: () => session.end({ text: 'You were signed out on every device.', tone: 'info' }),
  });
  const problem = change.error ? serverErrors(change.error, FIELDS).message : null;

  return (
    <section className="settings-section" aria-labelledby="account-heading">
      <h2 id="account-heading" className="settings-section__title">
        Account
      </h2>
      <p className="muted">Signed in as {session.user?.email}.</p>
      <form className="form settings-form" noValidate onSubmit={(event) => void handleSubmit((values) => change.mutate(values))(event)}>
        <h3 className="settings-section__subtitle">Change password</h3>
        {problem ? <Alert>{problem}</Alert> : null}
        <Field label="Current password" error={formState.errors.current_password?.message}>
          <input type="password" autoComplete="current-password" {...register('current_password', { required: 'Enter your current password.' })} />
        </Field>
        <Field label="New password" error={formState.errors.new_password?.message} hint={PASSWORD_HINT}>
          <input
            type="password"
            autoComplete="new-password"
            {...register('new_password', { validate: checkNewPassword })}
          />
        </Field>
        <div className="form-actions">
          <button type="submit" className="button button--primary" disabled={change.isPending} aria-busy={change.isPending}>
            {change.isPending ? 'Changing…' : 'Change password'}
          </button>
        </div>
      </form>

      <div className="settings-form">
        <h3 className="settings-section__subtitle">Sign out everywhere</h3>
        <p className="muted">Ends every session of this account: this browser, others, and programs signed in with your password (API keys keep working).</p>
        {everywhere.error ? <Alert>{describeError(everywhere.error)}</Alert> : null}
        <button type="button" className="button button--danger-ghost" onClick={() => everywhere.mutate()} disabled={everywhere.isPending}>
          {everywhere.isPending ? 'Signing out…' : 'Sign out everywhere'}
        </button>
      </div>
    </section>
  );
}
