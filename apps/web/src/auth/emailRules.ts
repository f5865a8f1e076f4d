/** What an email field of the auth forms checks before asking the API (sign-up, forgot password). */
export const EMAIL_RULES = {
  required: 'Enter your email address.',
  pattern: { value: /^[^\s@]+@[^\s@]+\.[^\s@]+$/, message: 'Enter an email address like name@example.com.' },
};
