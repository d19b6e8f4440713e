// AdmissionReview v1 in, AdmissionReview v1 out (always HTTP 200: a refusal is `allowed: false`).
// Only networking.k8s.io/v1 Ingress CREATE and UPDATE are judged; anything else is allowed as is.
import type { ClusterState } from '../store/cluster-state.js';
import type { ClassOwnership } from '../translate/ingress-classes.js';
import { judgeIngress } from './judge-ingress.js';
import type { IngressVerdict } from './judge-ingress.js';

export interface AdmissionRequest {
  uid: string;
  kind?: { group?: string; version?: string; kind?: string };
  operation?: string;
  namespace?: string;
  name?: string;
  object?: unknown;
  oldObject?: unknown;
  dryRun?: boolean;
}

export interface AdmissionResponseReview {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; reason: string; message: string };
    warnings?: string[];
  };
}

/** The API server shows warnings as they are; it may truncate beyond this many characters each. */
const WARNING_LIMIT = 256;
const WARNINGS_MAX = 20;

export class AdmissionReviewError extends Error {}

/** Reads the request out of a review; throws AdmissionReviewError (HTTP 400) for anything else. */
export function parseAdmissionReview(body: unknown): AdmissionRequest {
  const review = body as { apiVersion?: unknown; kind?: unknown; request?: { uid?: unknown } } | null;
  if (typeof review !== 'object' || review === null || review.kind !== 'AdmissionReview' || review.apiVersion !== 'admission.k8s.io/v1') {
    throw new AdmissionReviewError('expected an admission.k8s.io/v1 AdmissionReview');
  }
  if (typeof review.request !== 'object' || review.request === null || typeof review.request.uid !== 'string') throw new AdmissionReviewError('the AdmissionReview has no request.uid');
  return review.request as AdmissionRequest;
}

export interface ReviewContext {
  /** The operator's current state; undefined until its first complete list (then nothing is judged). */
  state: ClusterState | undefined;
  now: number;
  ownership?: ClassOwnership;
}

export function review(request: AdmissionRequest, context: ReviewContext): { review: AdmissionResponseReview; verdict?: IngressVerdict } {
  const respond = (allowed: boolean, extra: Partial<AdmissionResponseReview['response']> = {}): AdmissionResponseReview => ({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid: request.uid, allowed, ...extra },
  });
  const { group, version, kind } = request.kind ?? {};
  const isIngress = group === 'networking.k8s.io' && version === 'v1' && kind === 'Ingress';
  if (!isIngress || (request.operation !== 'CREATE' && request.operation !== 'UPDATE') || !context.state) return { review: respond(true) };
  const verdict = judgeIngress({
    state: context.state,
    object: request.object,
    ...(request.operation === 'UPDATE' && request.oldObject ? { oldObject: request.oldObject } : {}),
    ...(request.namespace ? { namespace: request.namespace } : {}),
    ...(request.name ? { name: request.name } : {}),
    now: context.now,
    ...(context.ownership ? { ownership: context.ownership } : {}),
  });
  const warnings = verdict.warnings.slice(0, WARNINGS_MAX).map((w) => (w.length > WARNING_LIMIT ? `${w.slice(0, WARNING_LIMIT - 1)}…` : w));
  const extra = warnings.length > 0 ? { warnings } : {};
  if (verdict.allowed) return { review: respond(true, extra), verdict };
  return { review: respond(false, { ...extra, status: { code: 400, reason: 'BadRequest', message: verdict.message ?? '' } }), verdict };
}
