// What the xDS port's TLS is made of, and where it comes from. A source is read once at start and
// tells its listener when it changes (a file rewritten by cert-manager or the kubelet, a
// certificate the operator re-issued); XdsServer applies each change to new connections.

/** PEM: the server's certificate chain and key, and the CAs whose client certificates it accepts. */
export interface TlsMaterial {
  cert: string;
  key: string;
  ca: string;
}

export interface TlsSource {
  current(): TlsMaterial;
  /** Called with every new material; returns an unsubscribe function. */
  onChange(listener: (material: TlsMaterial) => void): () => void;
}

/** A source that changes when told to: the operator's issuer, and tests. */
export class MutableTlsSource implements TlsSource {
  private readonly listeners = new Set<(material: TlsMaterial) => void>();

  constructor(private material: TlsMaterial) {}

  current(): TlsMaterial {
    return this.material;
  }

  set(material: TlsMaterial): void {
    this.material = material;
    for (const listener of this.listeners) listener(material);
  }

  onChange(listener: (material: TlsMaterial) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
