// Bounds on what a manifest folder may cost. The folder is input from whoever can write to it; a
// careless or hostile file must cost a diagnostic, never the process (memory, a blocked event loop).
export interface ManifestLimits {
  /** Largest file read. Checked on the open file, so a file that grows while read is caught too. */
  maxFileBytes: number;
  /** All files read in one load; files past it (in path order) are not read. */
  maxTotalBytes: number;
  /**
   * YAML aliases resolved per document. Kubernetes manifests rarely use aliases; each one can
   * double what a document expands to ("billion laughs"), so a low bound costs nothing real.
   */
  maxAliasCount: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_MANIFEST_LIMITS: ManifestLimits = {
  // A `kind: List` of several thousand objects fits; `kubectl get -o yaml` of a large namespace too.
  maxFileBytes: 16 * MiB,
  // About six times the 10,000-Ingress benchmark folder (20 MiB), which already needs ~2 GiB of heap.
  maxTotalBytes: 128 * MiB,
  maxAliasCount: 100,
};

export function formatBytes(bytes: number): string {
  return bytes >= MiB && bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${bytes} bytes`;
}
