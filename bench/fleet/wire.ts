// Just enough protobuf wire format for a cheap ADS client: encode (Delta)DiscoveryRequests and read
// (Delta)DiscoveryResponses down to versions, nonces and resource names, without decoding resource
// bodies. Every xDS resource type the fleet follows keeps its name in field 1 (Listener.name,
// RouteConfiguration.name, Cluster.name, ClusterLoadAssignment.cluster_name), and a Listener's RDS
// names sit at filter_chains(3) → filters(3) → typed_config(4) → HttpConnectionManager.rds(3) →
// route_config_name(2). VirtualHost (VHDS) also keeps its name in field 1; over Delta the reader
// only looks at a RouteConfiguration's top-level fields, to see whether vhds (9) is set.
// No generated code, so the fleet does not depend on any server's protos.

export const TYPE = {
  listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  route: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  endpoint: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  virtualHost: 'type.googleapis.com/envoy.config.route.v3.VirtualHost',
} as const;
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

// ---- writing ----

class Writer {
  private readonly parts: Buffer[] = [];
  string(field: number, value: string): this {
    if (value === '') return this;
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }
  bytes(field: number, value: Buffer): this {
    this.parts.push(varint((field << 3) | 2), varint(value.length), value);
    return this;
  }
  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function varint(value: number): Buffer {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

export interface NodeInfo {
  id: string;
  cluster: string;
}

function encodeNode(node: NodeInfo): Buffer {
  return new Writer().string(1, node.id).string(2, node.cluster).finish();
}

export interface SotwRequest {
  node?: NodeInfo;
  typeUrl: string;
  versionInfo: string;
  resourceNames: string[];
  nonce: string;
}

export function encodeSotwRequest(request: SotwRequest): Buffer {
  const w = new Writer().string(1, request.versionInfo);
  if (request.node) w.bytes(2, encodeNode(request.node));
  for (const name of request.resourceNames) w.string(3, name);
  return w.string(4, request.typeUrl).string(5, request.nonce).finish();
}

export interface DeltaRequest {
  node?: NodeInfo;
  typeUrl: string;
  subscribe: string[];
  unsubscribe: string[];
  nonce: string;
}

export function encodeDeltaRequest(request: DeltaRequest): Buffer {
  const w = new Writer();
  if (request.node) w.bytes(1, encodeNode(request.node));
  w.string(2, request.typeUrl);
  for (const name of request.subscribe) w.string(3, name);
  for (const name of request.unsubscribe) w.string(4, name);
  return w.string(6, request.nonce).finish();
}

// ---- reading ----

type FieldVisitor = (field: number, buf: Buffer, start: number, end: number) => void;

/** Calls visit for every length-delimited field of the message in buf[start, end); skips the rest. */
function scan(buf: Buffer, start: number, end: number, visit: FieldVisitor): void {
  let pos = start;
  const readVarint = (): number => {
    let result = 0;
    let shift = 1;
    for (;;) {
      const byte = buf[pos++];
      if (byte === undefined) throw new Error('truncated varint');
      result += (byte & 0x7f) * shift;
      if (byte < 0x80) return result;
      shift *= 128;
    }
  };
  while (pos < end) {
    const key = readVarint();
    const field = Math.floor(key / 8);
    switch (key & 7) {
      case 0: readVarint(); break;
      case 1: pos += 8; break;
      case 5: pos += 4; break;
      case 2: {
        const length = readVarint();
        visit(field, buf, pos, pos + length);
        pos += length;
        break;
      }
      default: throw new Error(`unsupported wire type ${key & 7}`);
    }
  }
}

const text = (buf: Buffer, start: number, end: number): string => buf.toString('utf8', start, end);

/** An Any's type_url and the position of its value. */
function readAny(buf: Buffer, start: number, end: number): { typeUrl: string; value: [number, number] } {
  let typeUrl = '';
  let value: [number, number] = [0, 0];
  scan(buf, start, end, (f, b, s, e) => {
    if (f === 1) typeUrl = text(b, s, e);
    else if (f === 2) value = [s, e];
  });
  return { typeUrl, value };
}

function nameOf(buf: Buffer, start: number, end: number): string {
  let name = '';
  scan(buf, start, end, (f, b, s, e) => {
    if (f === 1 && name === '') name = text(b, s, e);
  });
  return name;
}

/** The RDS route_config_names of a Listener's HTTP connection managers. */
function rdsNamesOf(buf: Buffer, start: number, end: number, into: string[]): void {
  const filter: FieldVisitor = (f, b, s, e) => {
    if (f !== 3) return; // FilterChain.filters
    scan(b, s, e, (ff, bb, ss, ee) => {
      if (ff !== 4) return; // Filter.typed_config
      const any = readAny(bb, ss, ee);
      if (any.typeUrl !== HCM) return;
      scan(bb, any.value[0], any.value[1], (hf, hb, hs, he) => {
        if (hf === 3) scan(hb, hs, he, (rf, rb, rs, re) => { if (rf === 2) into.push(text(rb, rs, re)); });
      });
    });
  };
  scan(buf, start, end, (f, b, s, e) => {
    if (f === 3 || f === 25) scan(b, s, e, filter); // Listener.filter_chains, default_filter_chain
  });
}

export interface ResponseSummary {
  typeUrl: string;
  versionInfo: string;
  nonce: string;
  /** Names of the resources carried (SotW: the full set; Delta: the changed ones). */
  names: string[];
  /** Delta: per-resource versions of the changed resources, by name. */
  versions: Map<string, string>;
  /** Delta: names removed. */
  removed: string[];
  /** Listeners only: the RDS names they reference. */
  rdsNames: string[];
  /** Clusters only: the EDS names of the EDS clusters (eds_cluster_config.service_name, else the name). */
  edsNames: string[];
  /** Delta route configurations only: the names of those with vhds set (their virtual hosts come over VHDS). */
  vhdsNames: string[];
  bytes: number;
}

function emptySummary(bytes: number): ResponseSummary {
  return { typeUrl: '', versionInfo: '', nonce: '', names: [], versions: new Map(), removed: [], rdsNames: [], edsNames: [], vhdsNames: [], bytes };
}

export function readSotwResponse(buf: Buffer): ResponseSummary {
  const summary = emptySummary(buf.length);
  const anys: [number, number][] = [];
  scan(buf, 0, buf.length, (f, b, s, e) => {
    if (f === 1) summary.versionInfo = text(b, s, e);
    else if (f === 2) anys.push([s, e]);
    else if (f === 4) summary.typeUrl = text(b, s, e);
    else if (f === 5) summary.nonce = text(b, s, e);
  });
  for (const [s, e] of anys) readResource(buf, s, e, summary);
  return summary;
}

export function readDeltaResponse(buf: Buffer): ResponseSummary {
  const summary = emptySummary(buf.length);
  const resources: [number, number][] = [];
  scan(buf, 0, buf.length, (f, b, s, e) => {
    if (f === 1) summary.versionInfo = text(b, s, e);
    else if (f === 2) resources.push([s, e]);
    else if (f === 4) summary.typeUrl = text(b, s, e);
    else if (f === 5) summary.nonce = text(b, s, e);
    else if (f === 6) summary.removed.push(text(b, s, e));
  });
  for (const [start, end] of resources) {
    let name = '';
    let version = '';
    let body: [number, number] | undefined;
    scan(buf, start, end, (f, b, s, e) => {
      if (f === 1) version = text(b, s, e);
      else if (f === 2) body = [s, e];
      else if (f === 3) name = text(b, s, e);
    });
    summary.names.push(name);
    summary.versions.set(name, version);
    if (!body) continue;
    const any = readAny(buf, body[0], body[1]);
    followNames(buf, any, name, summary);
    if (any.typeUrl === TYPE.route && hasField(buf, any.value[0], any.value[1], 9)) summary.vhdsNames.push(name); // RouteConfiguration.vhds
  }
  return summary;
}

/** Whether the message in buf[start, end) has length-delimited field `field` at its top level (nothing nested is read). */
function hasField(buf: Buffer, start: number, end: number, field: number): boolean {
  let found = false;
  scan(buf, start, end, (f) => { if (f === field) found = true; });
  return found;
}

function readResource(buf: Buffer, start: number, end: number, summary: ResponseSummary): void {
  const any = readAny(buf, start, end);
  const [s, e] = any.value;
  const name = nameOf(buf, s, e);
  summary.names.push(name);
  followNames(buf, any, name, summary);
}

function followNames(buf: Buffer, any: { typeUrl: string; value: [number, number] }, name: string, summary: ResponseSummary): void {
  const [s, e] = any.value;
  if (any.typeUrl === TYPE.listener) rdsNamesOf(buf, s, e, summary.rdsNames);
  if (any.typeUrl === TYPE.cluster) {
    scan(buf, s, e, (f, b, cs, ce) => {
      if (f !== 3) return;
      let serviceName = '';
      scan(b, cs, ce, (ef, eb, es, ee) => { if (ef === 2) serviceName = text(eb, es, ee); });
      summary.edsNames.push(serviceName || name);
    });
  }
}
