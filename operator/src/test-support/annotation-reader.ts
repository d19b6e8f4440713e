// Annotation family tests write annotations by their short names (`limit-rps`); this reads them
// as an Ingress would carry them (`nginx.ingress.kubernetes.io/limit-rps`).
import { NGINX_PREFIX } from '../translate/annotations/prefix.js';
import { AnnotationReader } from '../translate/annotations/reader.js';

export function readerOf(annotations: Record<string, string>): AnnotationReader {
  return new AnnotationReader(Object.fromEntries(Object.entries(annotations).map(([name, value]) => [NGINX_PREFIX + name, value])));
}
