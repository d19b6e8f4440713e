// IR milliseconds → google.protobuf.Duration, with nanos only when there is a fraction of a
// second, so the usual whole-second values print as `300s` and never change their bytes.
import type { Duration } from '../../../xds-server/src/index.js';

export function durationFromMs(ms: number): Duration {
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms % 1000) * 1_000_000;
  return nanos === 0 ? { seconds } : { seconds, nanos };
}
