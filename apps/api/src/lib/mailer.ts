import type { FastifyBaseLogger } from 'fastify';
import nodemailer, { type Transporter } from 'nodemailer';
import type { MailConfig } from '../config.js';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Mails being sent at once, at most; beyond it a mail is dropped (and the drop logged). */
const MAX_PENDING = 100;

/**
 * How mails leave: through SMTP (`SMTP_URL`), into the log (development and tests without
 * SMTP_URL, so `pnpm dev` works alone), or not at all (production without SMTP_URL).
 */
export type MailMode = 'smtp' | 'log' | 'off';

/** The log record a development mail is written under; the only log line that may hold a reset link. */
export const DEV_MAIL_MESSAGE = 'mail not sent (SMTP_URL is unset, development): its text follows';

/**
 * Sends mails in the background: a request never waits for the mail server, so an answer takes the
 * same time whether or not a mail went out (password reset). Failures are logged without the mail's
 * text (it may hold a link). `close()` waits for the mails under way.
 */
export class Mailer {
  readonly mode: MailMode;
  private readonly transport: Transporter | undefined;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly config: MailConfig,
    env: 'development' | 'production' | 'test',
    private readonly log: FastifyBaseLogger,
  ) {
    this.mode = config.smtpUrl ? 'smtp' : env === 'production' ? 'off' : 'log';
    this.transport = config.smtpUrl ? nodemailer.createTransport(config.smtpUrl) : undefined;
  }

  send(mail: Mail): void {
    if (this.mode === 'off') return;
    if (this.mode === 'log') {
      // The one deliberate exception to "never log a token" (docs/decisions.md): development only,
      // so a developer can follow the link. Production never comes here (mode 'off' or 'smtp').
      this.log.info({ devMail: { to: mail.to, subject: mail.subject, text: mail.text } }, DEV_MAIL_MESSAGE);
      return;
    }
    if (this.pending.size >= MAX_PENDING) {
      this.log.error({ subject: mail.subject }, 'mail dropped: too many mails being sent at once');
      return;
    }
    const sending = this.transport!
      .sendMail({ from: this.config.from, to: mail.to, subject: mail.subject, text: mail.text })
      .then(
        () => undefined,
        (err: unknown) => this.log.error({ subject: mail.subject, code: (err as { code?: string }).code, reason: (err as Error).message }, 'mail not sent'),
      )
      .finally(() => this.pending.delete(sending));
    this.pending.add(sending);
  }

  /** Waits for the mails under way, then closes the connection pool. */
  async close(): Promise<void> {
    await Promise.all([...this.pending]);
    this.transport?.close();
  }
}
