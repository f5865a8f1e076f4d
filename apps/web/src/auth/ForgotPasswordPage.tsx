import { isApiError } from '@agentcaller/sdk';
import { useMutation } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useForm } from 'react-hook-form';
import { Link } from 'react-router';
import { useApi } from '../api';
import { Field } from '../components/Field';
import { Alert } from '../components/ui';
import { serverErrors } from '../lib/errors';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { AuthLayout } from './AuthLayout';
import { EMAIL_INPUT, EMAIL_RULES } from './emailRules';

interface ForgotValues {
  email: string;
}

/** "Forgot password?": asks the API to mail a reset link. The answer is the same whether or not the account exists. */
/** Said when this server cannot mail at all: not a passing fault, so "try again" would mislead. */
const RESET_UNAVAILABLE = 'This server cannot send password-reset mail. Ask whoever runs your AgentCaller to reset your password for you.';

/** A 503 without Retry-After: the API says it cannot do this, not that it is busy (mail is not set up). */
function resetUnavailable(err: unknown): boolean {
  return isApiError(err) && err.status === 503 && err.retryAfter === undefined;
}

export function ForgotPasswordPage() {
  useDocumentTitle('Reset your password');
  const api = useApi();
  const { register, handleSubmit, setError, setFocus, formState } = useForm<ForgotValues>({ defaultValues: { email: '' } });
  // The page is one field: it has the focus from the start.
  useEffect(() => setFocus('email'), [setFocus]);
  const send = useMutation({
    mutationFn: (values: ForgotValues) => api.auth.requestPasswordReset({ email: values.email.trim() }),
    onError: (err) => {
      const { fields } = serverErrors(err, { email: 'email' });
      if (fields.email) setError('email', { type: 'server', message: fields.email });
    },
  });
  const problem = send.error ? (resetUnavailable(send.error) ? RESET_UNAVAILABLE : serverErrors(send.error, { email: 'email' }).message) : null;

  return (
    <AuthLayout
      title="Reset your password"
      subtitle="We mail you a link to choose a new one."
      footer={
        <>
          Remembered it? <Link to="/sign-in">Sign in</Link>
        </>
      }
    >
      {send.isSuccess ? (
        <Alert tone="success" title="Check your mail">
          If an account uses {send.variables.email.trim()}, a link to choose a new password is on its way. It works once, within one hour.
        </Alert>
      ) : null}
      {/* An answer from an earlier try (say "Too many attempts") goes when the field is found invalid. */}
      {problem ? <Alert>{problem}</Alert> : null}
      <form className="form" noValidate onSubmit={(event) => void handleSubmit((values) => send.mutate(values), () => send.reset())(event)}>
        <Field label="Email" error={formState.errors.email?.message}>
          <input
            {...EMAIL_INPUT}
            {...register('email', EMAIL_RULES)}
          />
        </Field>
        <button type="submit" className="button button--primary button--block" disabled={send.isPending} aria-busy={send.isPending}>
          {send.isPending ? 'Sending…' : send.isSuccess ? 'Send another link' : 'Send the link'}
        </button>
      </form>
    </AuthLayout>
  );
}
