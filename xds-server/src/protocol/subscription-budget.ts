// How many resource names a stream is subscribed to, over all its types, and how many characters
// they take: every subscribed name is kept per stream, so a client subscribing to millions of
// made-up names would otherwise hold the server's memory for as long as its stream lasts.
import { ProtocolError } from './stream-environment.js';
import type { StreamLimits } from './stream-limits.js';

export class SubscriptionBudget {
  private names = 0;
  private chars = 0;

  constructor(private readonly limits: Pick<StreamLimits, 'maxSubscribedNames' | 'maxSubscribedNameChars'>) {}

  /** Accounts for names newly subscribed and names dropped; throws once the stream holds more than its limits. */
  change(added: readonly string[], removed: readonly string[]): void {
    for (const name of added) {
      this.names += 1;
      this.chars += name.length;
    }
    for (const name of removed) {
      this.names -= 1;
      this.chars -= name.length;
    }
    if (this.names > this.limits.maxSubscribedNames) {
      throw new ProtocolError(`the stream subscribed to ${this.names} resource names; at most ${this.limits.maxSubscribedNames} are accepted`, 'resource-exhausted');
    }
    if (this.chars > this.limits.maxSubscribedNameChars) {
      throw new ProtocolError(`the stream's subscribed names take ${this.chars} characters; at most ${this.limits.maxSubscribedNameChars} are accepted`, 'resource-exhausted');
    }
  }
}
