// Type URLs of the extension configs Portico embeds in Any fields, in one place for the
// translator, the xDS server and the tests.
export const HTTP_CONNECTION_MANAGER_TYPE =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
export const ROUTER_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';
export const STDOUT_ACCESS_LOG_TYPE = 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog';
export const BUFFER_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer';
export const DOWNSTREAM_TLS_CONTEXT_TYPE = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';
export const TLS_INSPECTOR_TYPE = 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector';
export const PREVIOUS_HOSTS_TYPE = 'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate';
export const HTTP_PROTOCOL_OPTIONS_TYPE = 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
export const UPSTREAM_TLS_CONTEXT_TYPE = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
export const BUFFER_PER_ROUTE_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.buffer.v3.BufferPerRoute';
