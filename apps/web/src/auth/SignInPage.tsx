import { useMutation } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { Link, useLocation } from 'react-router';
import { useApi } from '../api';
import { Field } from '../components/Field';
import { Alert } from '../components/ui';
import { serverErrors } from '../lib/errors';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { AuthLayout } from './AuthLayout';
import { EMAIL_INPUT } from './emailRules';
import { useSession } from './session';

interface SignInValues {
  email: string;
  password: string;
}

export function SignInPage() {
  useDocumentTitle('Sign in');
  const api = useApi();
  const session = useSession();
  const location = useLocation();
  const { register, handleSubmit, setError, formState } = useForm<SignInValues>({ defaultValues: { email: '', password: '' } });

  const signIn = useMutation({
    mutationFn: (values: SignInValues) => api.auth.createSession({ email: values.email.trim(), password: values.password }),
    onSuccess: (created) => session.signedIn(created.user),
    onError: (err) => {
      const { fields } = serverErrors(err, { email: 'email', password: 'password' });
      if (fields.email) setError('email', { type: 'server', message: fields.email });
      if (fields.password) setError('password', { type: 'server', message: fields.password });
    },
  });
  const problem = signIn.error ? serverErrors(signIn.error, { email: 'email', password: 'password' }).message : null;

  return (
    <AuthLayout
      title="Sign in"
      subtitle="Welcome back. Your agent kept calling while you were away."
      footer={
        <>
          New to AgentCaller? <Link to="/sign-up" state={location.state as unknown}>Create an account</Link>
        </>
      }
    >
      {session.notice ? <Alert tone={session.notice.tone}>{session.notice.text}</Alert> : null}
      {problem ? <Alert>{problem}</Alert> : null}
      <form className="form" noValidate onSubmit={(event) => void handleSubmit((values) => signIn.mutate(values))(event)}>
        <Field label="Email" error={formState.errors.email?.message}>
          <input {...EMAIL_INPUT} {...register('email', { required: 'Enter your email address.' })} />
        </Field>
        <Field label="Password" error={formState.errors.password?.message}>
          <input type="password" autoComplete="current-password" {...register('password', { required: 'Enter your password.' })} />
        </Field>
        <p className="form__aside">
          <Link to="/forgot-password">Forgot password?</Link>
        </p>
        <button type="submit" className="button button--primary button--block" disabled={signIn.isPending} aria-busy={signIn.isPending}>
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </AuthLayout>
  );
}
