// The few Secret requests the xDS identity makes, in the operator's own namespace only (a Role,
// config/rbac/leader-election-role.yaml): get, create, and replace with the resourceVersion read,
// so two replicas never overwrite each other's write unseen.
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeHttpError, requestJson } from '../kube/kube-http.js';

export interface SecretObject {
  metadata: { name: string; namespace: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  type?: string;
  data?: Record<string, string>;
}

export class SecretClient {
  constructor(
    private readonly kc: KubeConfig,
    readonly namespace: string,
  ) {}

  /** The Secret, or undefined when it does not exist. */
  async get(name: string, signal: AbortSignal): Promise<SecretObject | undefined> {
    try {
      return (await requestJson(this.kc, 'GET', this.path(name), signal)) as SecretObject;
    } catch (error) {
      if (error instanceof KubeHttpError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  /** Creates it; resolves false when another replica created it first (409). */
  async create(secret: SecretObject, signal: AbortSignal): Promise<boolean> {
    try {
      await requestJson(this.kc, 'POST', `/api/v1/namespaces/${this.namespace}/secrets`, signal, { apiVersion: 'v1', kind: 'Secret', ...secret });
      return true;
    } catch (error) {
      if (error instanceof KubeHttpError && error.statusCode === 409) return false;
      throw error;
    }
  }

  /** Replaces it if nobody changed it since it was read (resourceVersion); false on a conflict. */
  async replace(secret: SecretObject, signal: AbortSignal): Promise<boolean> {
    try {
      await requestJson(this.kc, 'PUT', this.path(secret.metadata.name), signal, { apiVersion: 'v1', kind: 'Secret', ...secret });
      return true;
    } catch (error) {
      if (error instanceof KubeHttpError && error.statusCode === 409) return false;
      throw error;
    }
  }

  private path(name: string): string {
    return `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/secrets/${encodeURIComponent(name)}`;
  }
}

export const encode = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
export const decode = (data: string | undefined): string => Buffer.from(data ?? '', 'base64').toString('utf8');
