import { isApiError } from '@agentcaller/sdk';
import { useMutation } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { Link, useLocation, useNavigate } from 'react-router';
import { useApi } from '../api';
import { Field } from '../components/Field';
import { Alert } from '../components/ui';
import { serverErrors } from '../lib/errors';
import { checkNewPassword, PASSWORD_HINT } from '../lib/password';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { AuthLayout } from './AuthLayout';

interface ResetValues {
  password: string;
  repeat: string;
}

/** The token travels in the link's fragment (`#token=…`), which the browser never sends to a server. */
function tokenOf(hash: string): string | null {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token');
}

/** The page a reset mail links to: choose a new password with the link's token. */
export function ResetPasswordPage() {
  useDocumentTitle('Choose a new password');
  const api = useApi();
  const { hash, pathname, search } = useLocation();
  const navigate = useNavigate();
  const token = tokenOf(hash);
  const { register, handleSubmit, setError, getValues, formState } = useForm<ResetValues>({ defaultValues: { password: '', repeat: '' } });
  const reset = useMutation({
    mutationFn: (values: ResetValues) => api.auth.confirmPasswordReset({ token: token ?? '', new_password: values.password }),
    // The used token leaves the address bar and the history entry (Back must not bring it back).
    onSuccess: () => void navigate({ pathname, search }, { replace: true }),
    onError: (err) => {
      const { fields } = serverErrors(err, { new_password: 'password' });
      if (fields.password) setError('password', { type: 'server', message: fields.password });
    },
  });
  const refusal = isApiError(reset.error) && reset.error.type === '/problems/invalid-reset-token' ? reset.error : null;
  const problem = reset.error && !refusal ? serverErrors(reset.error, { new_password: 'password' }).message : null;
  const footer = (
    <>
      Back to <Link to="/sign-in">Sign in</Link>
    </>
  );

  if (reset.isSuccess) {
    return (
      <AuthLayout title="Password changed" subtitle="You were signed out everywhere, and your API keys were revoked." footer={footer}>
        <Alert tone="success">Your new password is set. Sign in with it.</Alert>
        <Link to="/sign-in" className="button button--primary button--block">
          Sign in
        </Link>
      </AuthLayout>
    );
  }
  if (!token) {
    return (
      <AuthLayout title="Choose a new password" subtitle="This page opens from the link in a password-reset mail." footer={footer}>
        <Alert title="This link is incomplete">
          Open the whole link from the mail, or <Link to="/forgot-password">ask for a new link</Link>.
        </Alert>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="Choose a new password" subtitle="It replaces your old one, and signs you out everywhere." footer={footer}>
      {refusal ? (
        <Alert title="This link no longer works">
          {refusal.detail} <Link to="/forgot-password">Ask for a new link</Link>
        </Alert>
      ) : null}
      {problem ? <Alert>{problem}</Alert> : null}
      <form className="form" noValidate onSubmit={(event) => void handleSubmit((values) => reset.mutate(values))(event)}>
        <Field label="New password" error={formState.errors.password?.message} hint={PASSWORD_HINT}>
          <input type="password" autoComplete="new-password" {...register('password', { required: 'Choose a password.', validate: checkNewPassword })} />
        </Field>
        <Field label="Repeat the new password" error={formState.errors.repeat?.message}>
          <input
            type="password"
            autoComplete="new-password"
            {...register('repeat', { required: 'Type the password again.', validate: (value) => value === getValues('password') || 'The two passwords differ.' })}
          />
        </Field>
        <button type="submit" className="button button--primary button--block" disabled={reset.isPending} aria-busy={reset.isPending}>
          {reset.isPending ? 'Saving…' : 'Set the new password'}
        </button>
      </form>
    </AuthLayout>
  );
}
