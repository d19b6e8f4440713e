// google.protobuf.Any in proto-loader object form is `{ '@type': url, ...fields }`; the generated
// type only declares '@type', so object literals with fields need this one typed doorway.
import type { Any } from '../generated/google/protobuf/Any.js';

export function packAny<T extends object>(typeUrl: string, message: T): Any {
  return { '@type': typeUrl, ...message };
}
