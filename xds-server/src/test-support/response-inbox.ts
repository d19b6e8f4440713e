// Test support: responses a raw xDS client received, handed out in order, optionally by type,
// to whoever waits for them. Shared by the SotW and Delta raw clients.
import type { ResourceKind } from '../protos/envoy-protos.js';
import { typeUrlOf } from '../protos/envoy-protos.js';

interface Waiter<T> {
  typeUrl: string | undefined;
  resolve: (response: T) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class ResponseInbox<T extends { typeUrl: string }> {
  private readonly unread: T[] = [];
  private readonly waiters: Array<Waiter<T>> = [];

  get unreadCount(): number {
    return this.unread.length;
  }

  deliver(response: T): void {
    const index = this.waiters.findIndex((w) => w.typeUrl === undefined || w.typeUrl === response.typeUrl);
    const waiter = index >= 0 ? this.waiters.splice(index, 1)[0] : undefined;
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(response);
      return;
    }
    this.unread.push(response);
  }

  /** The next response not yet consumed (of one type, when given). */
  next(kind?: ResourceKind, timeoutMs = 2_000): Promise<T> {
    const typeUrl = kind ? typeUrlOf(kind) : undefined;
    const index = this.unread.findIndex((r) => typeUrl === undefined || r.typeUrl === typeUrl);
    if (index >= 0) return Promise.resolve(this.unread.splice(index, 1)[0] as T);
    return new Promise((resolve, reject) => {
      const waiter: Waiter<T> = {
        typeUrl,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(new Error(`no ${kind ?? 'response'} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Resolves true when no response (of this type) arrives within `ms`. */
  async quietFor(ms: number, kind?: ResourceKind): Promise<boolean> {
    try {
      await this.next(kind, ms);
      return false;
    } catch {
      return true;
    }
  }

  /** The stream ended: everyone still waiting learns why. */
  fail(error: Error): void {
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }
}
