// A real SMTP server on loopback (the `smtp-server` package), for the tests that send mail: the API
// talks to it through nodemailer exactly as to a production mail server (never a mock transport).
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  /** The message as received (headers and body). */
  raw: string;
  /** The body's text with quoted-printable undone. */
  text: string;
}

export interface TestSmtp {
  url: string;
  mails: ReceivedMail[];
  /** The next mail to `to` that arrives after `since` mails were received (waits up to 10 s). */
  next(to: string, since?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/** Quoted-printable (RFC 2045) as nodemailer writes long lines: soft breaks and =XX bytes. */
function decodeQuotedPrintable(body: string): string {
  const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** Listens on the first free port of 8100-8199 (the ports this project's tests may use). */
export async function startSmtp(): Promise<TestSmtp> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    // Plain SMTP on loopback: no certificate to trust in a test.
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const split = raw.search(/\r?\n\r?\n/);
        const body = split < 0 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, text: decodeQuotedPrintable(body) });
        callback();
      });
    },
  });
  let port = 0;
  for (let candidate = 8100 + Math.floor(Math.random() * 50); candidate < 8200 && !port; candidate++) {
    port = await new Promise<number>((resolve) => {
      const onError = () => resolve(0);
      server.server.once('error', onError);
      server.listen(candidate, '127.0.0.1', () => {
        server.server.off('error', onError);
        resolve(candidate);
      });
    });
  }
  if (!port) throw new Error('no free port in 8100-8199 for the test SMTP server');
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    async next(to, since = 0) {
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const mail = mails.slice(since).find((m) => m.to.includes(to));
        if (mail) return mail;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no mail to ${to} within 10 s`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The token of the reset link in a mail. */
export function resetTokenOf(mail: ReceivedMail): string {
  const match = /\/reset-password#token=(rst_[A-Za-z0-9_-]{43})/.exec(mail.text);
  if (!match) throw new Error(`no reset link in the mail:\n${mail.text}`);
  return match[1]!;
}
