// Builds the ClusterState from parsed files. The same object (apiVersion, kind, namespace, name)
// defined twice is resolved by a rule, not by chance: files are taken in path order (code units)
// and documents in file order, the first accepted definition is used, and every later one is a
// diagnostic naming both places. The result never depends on the order a folder was listed in.
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { ClusterStateBuilder } from '../../store/cluster-state-builder.js';
import type { ClusterState } from '../../store/cluster-state.js';
import type { ParsedManifest } from './parse-manifest-text.js';

// As the store scopes them: a namespace written on these is ignored, so it is not part of the name.
const CLUSTER_SCOPED = new Set(['IngressClass', 'ClusterIngressClassParameters']);

/**
 * `files` in path order, each with what was wrong with reading it. Problems come out in the same
 * order: a file's own, then its objects'.
 */
export function assembleState(files: ReadonlyArray<Pick<ParsedManifest, 'objects' | 'problems'>>): { state: ClusterState; problems: Diagnostic[] } {
  const builder = new ClusterStateBuilder();
  const problems: Diagnostic[] = [];
  const definedAt = new Map<string, string>();
  for (const file of files) problems.push(...file.problems, ...addObjects(builder, file.objects, definedAt));
  return { state: builder.build(), problems };
}

function addObjects(builder: ClusterStateBuilder, objects: ParsedManifest['objects'], definedAt: Map<string, string>): Diagnostic[] {
  const problems: Diagnostic[] = [];
  for (const { where, value } of objects) {
    const identity = identityOf(value);
    const first = identity && definedAt.get(identity.key);
    if (identity && first) {
      problems.push({
        object: where,
        severity: 'error',
        message: `${identity.name} is also defined in ${first}, which is used (the first definition in path order wins); this copy is ignored`,
      });
      continue;
    }
    const rejected = builder.add(value, where);
    problems.push(...rejected);
    // Only a definition the store took can shadow later ones.
    if (identity && rejected.length === 0) definedAt.set(identity.key, where);
  }
  return problems;
}

function identityOf(value: unknown): { key: string; name: string } | undefined {
  if (!isRecord(value) || !isRecord(value['metadata'])) return undefined;
  const { apiVersion, kind } = value;
  const { name, namespace } = value['metadata'];
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || typeof name !== 'string') return undefined;
  const scope = CLUSTER_SCOPED.has(kind) ? undefined : typeof namespace === 'string' ? namespace : 'default';
  const qualified = scope === undefined ? name : `${scope}/${name}`;
  return { key: `${apiVersion}\0${kind}\0${qualified}`, name: `${kind} ${qualified}` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
