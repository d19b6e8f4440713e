// The fleet's access log: one line per request on Envoy's stdout, where the container runtime
// collects it. Text uses Envoy's default format; JSON names each field, so log pipelines need no
// parsing rules.
import type { AccessLog, StdoutAccessLog, Value } from '../../../xds-server/src/index.js';
import { STDOUT_ACCESS_LOG_TYPE } from '../../../xds-server/src/index.js';
import type { IrHttpOptions } from '../ir/types.js';

const JSON_FIELDS: Record<string, string> = {
  start_time: '%START_TIME%',
  method: '%REQ(:METHOD)%',
  authority: '%REQ(:AUTHORITY)%',
  path: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%',
  protocol: '%PROTOCOL%',
  response_code: '%RESPONSE_CODE%',
  response_flags: '%RESPONSE_FLAGS%',
  bytes_received: '%BYTES_RECEIVED%',
  bytes_sent: '%BYTES_SENT%',
  duration_ms: '%DURATION%',
  upstream_service_time_ms: '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%',
  upstream_cluster: '%UPSTREAM_CLUSTER%',
  upstream_host: '%UPSTREAM_HOST%',
  route_name: '%ROUTE_NAME%',
  downstream_remote_address: '%DOWNSTREAM_REMOTE_ADDRESS%',
  x_forwarded_for: '%REQ(X-FORWARDED-FOR)%',
  user_agent: '%REQ(USER-AGENT)%',
  request_id: '%REQ(X-REQUEST-ID)%',
};

export function accessLogs(http: IrHttpOptions): AccessLog[] {
  if (!http.accessLog) return [];
  const stdout: StdoutAccessLog = {};
  if (http.accessLog.format === 'JSON') {
    const fields: Record<string, Value> = {};
    for (const [key, format] of Object.entries(JSON_FIELDS)) fields[key] = { stringValue: format };
    stdout.log_format = { json_format: { fields } };
  }
  return [{ name: 'envoy.access_loggers.stdout', typed_config: { '@type': STDOUT_ACCESS_LOG_TYPE, ...stdout } }];
}
