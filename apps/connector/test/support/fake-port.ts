import type { B24Envelope, B24Port } from "../../src/crm/port.js";

/** A scripted B24Port: records every call; `handlers[method]` answers it. */
export class FakePort implements B24Port {
  calls: Array<{ method: string; params: Record<string, unknown> }> = [];
  constructor(public handlers: Record<string, (params: Record<string, unknown>) => B24Envelope | Promise<B24Envelope>> = {}) {}
  async callRaw<T>(method: string, params: Record<string, unknown>): Promise<B24Envelope<T>> {
    this.calls.push({ method, params });
    const handler = this.handlers[method];
    if (!handler) throw new Error(`FakePort: no handler for ${method}`);
    return (await handler(params)) as B24Envelope<T>;
  }
  async call<T>(method: string, params: Record<string, unknown>): Promise<T> {
    return (await this.callRaw<T>(method, params)).result;
  }
  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }
}

/** user.get over an array, 50 per page, with next/total like Bitrix24. */
export function userGetHandler(users: () => Array<Record<string, unknown>>) {
  return (params: Record<string, unknown>): B24Envelope => {
    const start = Number(params.start ?? 0);
    const all = users().filter((u) => u.ACTIVE !== false);
    const page = all.slice(start, start + 50);
    const env: B24Envelope = { result: page, total: all.length };
    if (start + 50 < all.length) env.next = start + 50;
    return env;
  };
}
