/** What an email field of the auth forms checks before asking the API (sign-up, forgot password). */
export const EMAIL_RULES = {
  required: 'Enter your email address.',
  // A text field keeps the spaces a paste or an autofill brings (a `type="email"` field dropped them).
  setValueAs: (value: string) => value.trim(),
  pattern: { value: /^[^\s@]+@[^\s@]+\.[^\s@]+$/, message: 'Enter an email address like name@example.com.' },
};

/**
 * The attributes of every email field: text with the email keyboard, not `type="email"`. Chromium
 * rewrites an `email` field's domain beyond ASCII into its `xn--` spelling (`zoe@exämple.com` is
 * sent as `zoe@xn--exmple-cua.com`), a second spelling of the address the API stores as typed, so
 * an account made one way would not be found the other (docs/decisions.md, "Addresses beyond ASCII").
 */
export const EMAIL_INPUT = { type: 'text', inputMode: 'email', autoComplete: 'email', autoCapitalize: 'none', spellCheck: false } as const;
