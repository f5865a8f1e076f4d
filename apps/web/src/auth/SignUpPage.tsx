import { isApiError } from '@agentcaller/sdk';
import { useMutation } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { Link, useLocation } from 'react-router';
import { useApi } from '../api';
import { Field } from '../components/Field';
import { Alert } from '../components/ui';
import { serverErrors } from '../lib/errors';
import { checkNewPassword, PASSWORD_HINT } from '../lib/password';
import { browserTimeZone } from '../lib/format';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { AuthLayout } from './AuthLayout';
import { EMAIL_INPUT, EMAIL_RULES } from './emailRules';
import { useSession } from './session';

interface SignUpValues {
  email: string;
  password: string;
}


export function SignUpPage() {
  useDocumentTitle('Create your account');
  const api = useApi();
  const session = useSession();
  const location = useLocation();
  const { register, handleSubmit, setError, formState } = useForm<SignUpValues>({ defaultValues: { email: '', password: '' } });

  const signUp = useMutation({
    mutationFn: async (values: SignUpValues) => {
      const email = values.email.trim();
      await api.auth.register({ email, password: values.password, time_zone: browserTimeZone() });
      return api.auth.createSession({ email, password: values.password });
    },
    onSuccess: (created) => session.signedIn(created.user),
    onError: (err) => {
      // 409: the address is taken; it belongs next to the email field.
      if (isApiError(err) && err.type === '/problems/email-taken') {
        setError('email', { type: 'server', message: 'An account with this email already exists. Sign in instead?' });
        return;
      }
      const { fields } = serverErrors(err, { email: 'email', password: 'password' });
      if (fields.email) setError('email', { type: 'server', message: fields.email });
      if (fields.password) setError('password', { type: 'server', message: fields.password });
    },
  });
  const problem = signUp.error && !(isApiError(signUp.error) && signUp.error.type === '/problems/email-taken') ? serverErrors(signUp.error, { email: 'email', password: 'password' }).message : null;

  return (
    <AuthLayout
      title="Create your account"
      subtitle="Add your clients, and your agent books their appointments."
      footer={
        <>
          Already have an account? <Link to="/sign-in" state={location.state as unknown}>Sign in</Link>
        </>
      }
    >
      {problem ? <Alert>{problem}</Alert> : null}
      <form className="form" noValidate onSubmit={(event) => void handleSubmit((values) => signUp.mutate(values))(event)}>
        <Field label="Email" error={formState.errors.email?.message}>
          <input
            {...EMAIL_INPUT}
            {...register('email', EMAIL_RULES)}
          />
        </Field>
        <Field label="Password" error={formState.errors.password?.message} hint={PASSWORD_HINT}>
          <input
            type="password"
            autoComplete="new-password"
            {...register('password', {
              required: 'Choose a password.',
              validate: checkNewPassword,
            })}
          />
        </Field>
        <button type="submit" className="button button--primary button--block" disabled={signUp.isPending} aria-busy={signUp.isPending}>
          {signUp.isPending ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
    </AuthLayout>
  );
}
