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

/** A type URL's bytes, encoded once: every ACK names one of five. */
const typeUrlBytes = new Map<string, Buffer>();

export function encodeDeltaRequest(request: DeltaRequest): Buffer {
  const w = new Writer();
  if (request.node) w.bytes(1, encodeNode(request.node));
  let typeUrl = typeUrlBytes.get(request.typeUrl);
  if (!typeUrl) typeUrlBytes.set(request.typeUrl, (typeUrl = Buffer.from(request.typeUrl, 'utf8')));
  w.bytes(2, typeUrl);
  for (const name of request.subscribe) w.string(3, name);
  for (const name of request.unsubscribe) w.string(4, name);
  return w.string(6, request.nonce).finish();
}

// ---- reading ----
// A cursor over fields rather than a callback per field: the fleet reads a thousand responses per
// change, and run through tsx every closure made per call is also named at run time (esbuild's
// __name), which cost the fleet a tenth of its CPU.

/** The length-delimited fields of the message in buf[start, end), one at a time; others are skipped. */
class Fields {
  private pos: number;
  /** The value of the field next() returned: buf[start, end). */
  start = 0;
  end = 0;

  constructor(
    readonly buf: Buffer,
    private readonly begin: number,
    private readonly limit: number,
  ) {
    this.pos = begin;
  }

  /** A new cursor over the same message, from its first field. */
  again(): Fields {
    return new Fields(this.buf, this.begin, this.limit);
  }

  /** The number of the next length-delimited field, or 0 at the end. */
  next(): number {
    while (this.pos < this.limit) {
      const key = this.varint();
      switch (key & 7) {
        case 0: this.varint(); break;
        case 1: this.pos += 8; break;
        case 5: this.pos += 4; break;
        case 2: {
          const length = this.varint();
          this.start = this.pos;
          this.end = this.pos + length;
          this.pos = this.end;
          return Math.floor(key / 8);
        }
        default: throw new Error(`unsupported wire type ${key & 7}`);
      }
    }
    return 0;
  }

  /** The current field's value as text. */
  text(): string {
    return this.buf.toString('utf8', this.start, this.end);
  }

  /** The current field's value as a message of its own. */
  message(): Fields {
    return new Fields(this.buf, this.start, this.end);
  }

  private varint(): number {
    let result = 0;
    let shift = 1;
    for (;;) {
      const byte = this.buf[this.pos++];
      if (byte === undefined) throw new Error('truncated varint');
      result += (byte & 0x7f) * shift;
      if (byte < 0x80) return result;
      shift *= 128;
    }
  }
}

/** An Any's type_url and its value. */
function readAny(any: Fields): { typeUrl: string; value: Fields | undefined } {
  let typeUrl = '';
  let value: Fields | undefined;
  for (let f = any.next(); f !== 0; f = any.next()) {
    if (f === 1) typeUrl = any.text();
    else if (f === 2) value = any.message();
  }
  return { typeUrl, value };
}

/** Field 1, where every resource type the fleet follows keeps its name. */
function nameOf(resource: Fields): string {
  for (let f = resource.next(); f !== 0; f = resource.next()) if (f === 1) return resource.text();
  return '';
}

/** The RDS route_config_names of a Listener's HTTP connection managers. */
function rdsNamesOf(listener: Fields, into: string[]): void {
  for (let f = listener.next(); f !== 0; f = listener.next()) {
    if (f !== 3 && f !== 25) continue; // Listener.filter_chains, default_filter_chain
    const chain = listener.message();
    for (let cf = chain.next(); cf !== 0; cf = chain.next()) {
      if (cf !== 3) continue; // FilterChain.filters
      const filter = chain.message();
      for (let ff = filter.next(); ff !== 0; ff = filter.next()) {
        if (ff !== 4) continue; // Filter.typed_config
        const any = readAny(filter.message());
        if (any.typeUrl !== HCM || !any.value) continue;
        const hcm = any.value;
        for (let hf = hcm.next(); hf !== 0; hf = hcm.next()) {
          if (hf !== 3) continue; // HttpConnectionManager.rds
          const rds = hcm.message();
          for (let rf = rds.next(); rf !== 0; rf = rds.next()) if (rf === 2) into.push(rds.text());
        }
      }
    }
  }
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

/**
 * What DiscoveryResponse and DeltaDiscoveryResponse number alike: version (1), resources (2),
 * type URL (4), nonce (5); and Delta's removed_resources (6), which in SotW is control_plane.
 */
function readEnvelope(buf: Buffer, delta: boolean): { summary: ResponseSummary; resources: Fields[] } {
  const summary = emptySummary(buf.length);
  const response = new Fields(buf, 0, buf.length);
  const resources: Fields[] = [];
  for (let f = response.next(); f !== 0; f = response.next()) {
    if (f === 1) summary.versionInfo = response.text();
    else if (f === 2) resources.push(response.message());
    else if (f === 4) summary.typeUrl = response.text();
    else if (f === 5) summary.nonce = response.text();
    else if (f === 6 && delta) summary.removed.push(response.text());
  }
  return { summary, resources };
}

export function readSotwResponse(buf: Buffer): ResponseSummary {
  const { summary, resources: anys } = readEnvelope(buf, false);
  for (const any of anys) {
    const { typeUrl, value } = readAny(any);
    if (!value) continue;
    const name = nameOf(value.again());
    summary.names.push(name);
    followNames(typeUrl, value, name, summary);
  }
  return summary;
}

export function readDeltaResponse(buf: Buffer): ResponseSummary {
  const { summary, resources } = readEnvelope(buf, true);
  for (const resource of resources) {
    let name = '';
    let version = '';
    let body: Fields | undefined;
    for (let f = resource.next(); f !== 0; f = resource.next()) {
      if (f === 1) version = resource.text();
      else if (f === 2) body = resource.message();
      else if (f === 3) name = resource.text();
    }
    summary.names.push(name);
    summary.versions.set(name, version);
    if (!body) continue;
    const { typeUrl, value } = readAny(body);
    if (!value) continue;
    followNames(typeUrl, value.again(), name, summary);
    if (typeUrl === TYPE.route && hasField(value, 9)) summary.vhdsNames.push(name); // RouteConfiguration.vhds
  }
  return summary;
}

/** Whether the message has length-delimited field `field` at its top level (nothing nested is read). */
function hasField(message: Fields, field: number): boolean {
  for (let f = message.next(); f !== 0; f = message.next()) if (f === field) return true;
  return false;
}

function followNames(typeUrl: string, resource: Fields, name: string, summary: ResponseSummary): void {
  if (typeUrl === TYPE.listener) rdsNamesOf(resource, summary.rdsNames);
  if (typeUrl !== TYPE.cluster) return;
  for (let f = resource.next(); f !== 0; f = resource.next()) {
    if (f !== 3) continue; // Cluster.eds_cluster_config
    const eds = resource.message();
    let serviceName = '';
    for (let ef = eds.next(); ef !== 0; ef = eds.next()) if (ef === 2) serviceName = eds.text();
    summary.edsNames.push(serviceName || name);
  }
}
