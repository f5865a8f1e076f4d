import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { Mailer } from '../lib/mailer.js';

/** What the mail plugin reads of the configuration, and nothing else. */
type MailOptions = Pick<Config, 'env' | 'mail'>;

declare module 'fastify' {
  interface FastifyInstance {
    mailer: Mailer;
  }
}

/** Outgoing mail: SMTP when SMTP_URL is set; else the log (development, tests) or nothing (production). */
export default fp(
  async function mailPlugin(app: FastifyInstance, opts: MailOptions) {
    const mailer = new Mailer(opts.mail, opts.env, app.log);
    if (mailer.mode === 'off') app.log.warn('SMTP_URL is unset in production: no mail can be sent, so password reset answers 503');
    if (mailer.mode === 'log') app.log.info('SMTP_URL is unset: mails (password-reset links included) are written to this log instead (development only)');
    app.decorate('mailer', mailer);
    app.addHook('onClose', async () => {
      await mailer.close();
    });
  },
  { name: 'mail' },
);
