// Sizes written as Kubernetes quantities without fractions (`0`, `512Ki`, `8Mi`, `10M`), the
// subset the CRD's pattern allows. Lowercase `m` is deliberately absent: in a Kubernetes quantity
// it means milli, while ingress-nginx users would read `1m` as a megabyte.

export const BYTE_SIZE_PATTERN = '^(0|[1-9][0-9]{0,9})(k|M|G|Ki|Mi|Gi)?$';
const BYTE_SIZE = new RegExp(BYTE_SIZE_PATTERN);
const MULTIPLIER: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };

export function parseByteSize(text: string): number | undefined {
  const match = BYTE_SIZE.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * (MULTIPLIER[match[2] ?? ''] ?? 1);
}
