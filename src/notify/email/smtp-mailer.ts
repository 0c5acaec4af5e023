import nodemailer, { type Transporter } from 'nodemailer';
import type { SmtpSettings } from '../../config/certificates-config.js';

export interface MailMessage {
  subject: string;
  text: string;
}

/**
 * Mail to a fixed list of people (the certificate team) through an SMTP server, with nodemailer. The
 * password is read from the environment variable the config names, never from the config file.
 */
export class SmtpMailer {
  private readonly transport: Transporter;

  constructor(
    smtp: SmtpSettings,
    private readonly from: string,
    private readonly to: readonly string[],
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const password = smtp.passwordEnv ? env[smtp.passwordEnv] : undefined;
    if (smtp.passwordEnv && !password)
      throw new Error(
        `certificates.email.smtp.passwordEnv: ${smtp.passwordEnv} is not set in the environment`,
      );
    this.transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      requireTLS: smtp.requireTls,
      connectionTimeout: 20_000,
      socketTimeout: 30_000,
      ...(smtp.user ? { auth: { user: smtp.user, pass: password ?? '' } } : {}),
    });
  }

  async send(message: MailMessage): Promise<void> {
    await this.transport.sendMail({
      from: this.from,
      to: [...this.to],
      subject: message.subject,
      text: message.text,
    });
  }

  close(): void {
    this.transport.close();
  }
}
