/** Incoming webhook: https://<portal>/rest/<user_id>/<code>/<method>. Nothing to renew. */
import type { B24AuthMode, PreparedAuth } from "./types.js";

export class WebhookAuth implements B24AuthMode {
  readonly kind = "webhook";
  private readonly base: string;

  constructor(webhookUrl: string) {
    this.base = webhookUrl.endsWith("/") ? webhookUrl : `${webhookUrl}/`;
    if (!/\/rest\/\d+\/[^/]+\/$/.test(new URL(this.base).pathname)) throw new TypeError(`not an incoming webhook URL: ${redactWebhook(this.base)}`);
  }

  async prepare(method: string): Promise<PreparedAuth> {
    return { url: `${this.base}${method}`, credential: "webhook" };
  }
}

/** The code in a webhook URL is a secret: logs show /rest/1/***\/. */
export function redactWebhook(url: string): string {
  return url.replace(/(\/rest\/\d+\/)[^/]+/, "$1***");
}

export function webhookAuth(webhookUrl: string): WebhookAuth {
  return new WebhookAuth(webhookUrl);
}
