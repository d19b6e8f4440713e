// Names as a stream's status shows them (/debug/xds): a few, not all. An Envoy of a large fleet
// subscribes to every EDS name (8,000 at 4,000 Ingresses); listing and sorting all of them for
// every stream on every /debug/xds request made that page hundreds of megabytes.
import { compareStrings } from '../util/compare-strings.js';
import { STATUS_NAMES_SHOWN } from './stream-environment.js';

/** Up to `shown` of `names`: all of them sorted when they fit, else the first `shown` met, sorted. */
export function someNames(names: Iterable<string>, shown = STATUS_NAMES_SHOWN): string[] {
  const picked: string[] = [];
  for (const name of names) {
    if (picked.length >= shown) break;
    picked.push(name);
  }
  return picked.sort(compareStrings);
}
