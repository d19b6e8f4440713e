// Who writes: every status patch, Event and Lease write names the field manager `portico`
// (without one the API server records the User-Agent, which for plain node:https is `unknown`),
// and Events name the replica that reported them (the pod, from the downward API's POD_NAME, else
// the host name, which in a pod is the pod name too).
import { hostname } from 'node:os';

export const FIELD_MANAGER = 'portico';

/** `path` with `fieldManager=portico` added to its query. */
export function withFieldManager(path: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}fieldManager=${FIELD_MANAGER}`;
}

/** Events' reportingInstance: at most 128 characters, as the API server requires. */
export function reportingInstance(env: NodeJS.ProcessEnv = process.env, host: () => string = hostname): string {
  const name = env['POD_NAME']?.trim() || host();
  return name.slice(0, 128);
}
