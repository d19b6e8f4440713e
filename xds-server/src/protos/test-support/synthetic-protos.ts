// Test-only messages, added to the shared Envoy Root, for the rule kinds and field types that no
// loaded Envoy proto happens to use (64-bit map keys, aliased enums, validate.disabled, ...).
import protobuf from 'protobufjs';
import { envoyProtos } from '../envoy-protos.js';

export const PKG = 'portico.protostest';

const SOURCE = String.raw`
syntax = "proto3";
package portico.protostest;

enum Color {
  option allow_alias = true;
  COLOR_UNSPECIFIED = 0;
  RED = 1;
  CRIMSON = 1;
  BLUE = 2;
}

message Kitchen {
  float f = 1;
  double d = 2;
  int64 i64 = 3;
  uint64 u64 = 4;
  sint64 s64 = 5;
  fixed64 fx64 = 6;
  sfixed64 sfx64 = 7;
  int32 i32 = 8;
  uint32 u32 = 9;
  sint32 s32 = 10;
  fixed32 fx32 = 11;
  bool b = 12;
  string s = 13;
  bytes by = 14;
  Color color = 15;
  repeated Color colors = 16;
  map<int64, string> by_id = 17;
  map<bool, string> by_flag = 18;
  map<string, Kitchen> children = 19;
  optional string maybe = 20;
  optional int32 maybe_count = 21;
  google.protobuf.NullValue nothing = 22;
  google.protobuf.Timestamp at = 23;
  google.protobuf.Struct meta = 24;
  google.protobuf.Value value = 25;
  google.protobuf.ListValue list = 26;
  google.protobuf.Empty empty = 27;
  google.protobuf.FieldMask mask = 28;
  google.protobuf.FloatValue fw = 29;
  google.protobuf.DoubleValue dw = 30;
  google.protobuf.Int64Value i64w = 31;
  google.protobuf.UInt64Value u64w = 32;
  google.protobuf.Int32Value i32w = 33;
  google.protobuf.UInt32Value u32w = 34;
  google.protobuf.BoolValue bw = 35;
  google.protobuf.StringValue sw = 36;
  google.protobuf.BytesValue byw = 37;
  google.protobuf.Duration dur = 38;
  google.protobuf.Any payload = 39;
  repeated google.protobuf.Any payloads = 40;
  repeated int64 i64s = 41;
  repeated double ds = 42;
  oneof pick {
    string pick_name = 43;
    uint32 pick_number = 44;
    Kitchen pick_kitchen = 45;
  }
  map<uint32, Color> color_by_port = 46;
}

message Leaf {
  string name = 1 [(validate.rules).string.min_len = 1];
}

message Off {
  option (validate.disabled) = true;
  string name = 1 [(validate.rules).string.min_len = 1];
}

message Ignored {
  option (validate.ignored) = true;
  string name = 1 [(validate.rules).string.min_len = 1];
}

message Numbers {
  int32 inside = 1 [(validate.rules).int32 = {gt: 0, lt: 10}];
  int32 outside = 2 [(validate.rules).int32 = {gt: 10, lt: 0}];
  int64 big = 3 [(validate.rules).int64 = {gte: 1, lte: 5}];
  uint64 listed = 4 [(validate.rules).uint64 = {in: [1, 2, 3]}];
  sint32 unlisted = 5 [(validate.rules).sint32 = {not_in: [-1, 0]}];
  fixed32 fixed = 6 [(validate.rules).fixed32.const = 7];
  double ratio = 7 [(validate.rules).double = {gte: 0, lte: 1}];
  float f = 8 [(validate.rules).float = {gt: 0.1}];
  sfixed64 away = 9 [(validate.rules).sfixed64 = {lte: -1, gte: 1}];
  uint32 maybe_zero = 10 [(validate.rules).uint32 = {gte: 5, ignore_empty: true}];
  google.protobuf.Int64Value wrapped = 11 [(validate.rules).int64.gt = 100];
  bool must = 12 [(validate.rules).bool.const = true];
  sint64 half_open = 13 [(validate.rules).sint64 = {gte: 0, lt: 10}];
  fixed64 closed_out = 14 [(validate.rules).fixed64 = {gt: 20, lte: 10}];
  double gte_out = 15 [(validate.rules).double = {gte: 20, lt: 10}];
}

message Strings {
  string exact = 1 [(validate.rules).string.const = "x"];
  string runes = 2 [(validate.rules).string = {min_len: 2, max_len: 3}];
  string bytes = 3 [(validate.rules).string = {min_bytes: 2, max_bytes: 3}];
  string len = 4 [(validate.rules).string = {len: 2, len_bytes: 4}];
  string affixes = 5 [(validate.rules).string = {prefix: "a", suffix: "z", contains: "m", not_contains: "x"}];
  string choice = 6 [(validate.rules).string = {in: ["a", "b"], not_in: ["c"]}];
  string header_name = 7 [(validate.rules).string.well_known_regex = HTTP_HEADER_NAME];
  string loose_name = 8 [(validate.rules).string = {well_known_regex: HTTP_HEADER_NAME, strict: false}];
  string header_value = 9 [(validate.rules).string.well_known_regex = HTTP_HEADER_VALUE];
  string optional_header = 10 [(validate.rules).string = {well_known_regex: HTTP_HEADER_NAME, ignore_empty: true}];
  string host = 11 [(validate.rules).string = {hostname: true, ignore_empty: true}];
  string ip = 12 [(validate.rules).string = {ip: true, ignore_empty: true}];
  string ipv4 = 13 [(validate.rules).string = {ipv4: true, ignore_empty: true}];
  string ipv6 = 14 [(validate.rules).string = {ipv6: true, ignore_empty: true}];
  string email = 15 [(validate.rules).string = {email: true, ignore_empty: true}];
  string uri = 16 [(validate.rules).string = {uri: true, ignore_empty: true}];
  string uri_ref = 17 [(validate.rules).string = {uri_ref: true, ignore_empty: true}];
  string address = 18 [(validate.rules).string = {address: true, ignore_empty: true}];
  string uuid = 19 [(validate.rules).string = {uuid: true, ignore_empty: true}];
  string letters = 21 [(validate.rules).string = {pattern: "^\\pL+$", ignore_empty: true}];
  google.protobuf.StringValue wrapped = 22 [(validate.rules).string.min_len = 3];
  oneof either {
    option (validate.required) = true;
    string a = 23 [(validate.rules).string.min_len = 2];
    int32 b = 24;
  }
}

message BadPattern {
  string value = 1 [(validate.rules).string.pattern = "(unclosed"];
}

message Collections {
  repeated string tags = 1 [(validate.rules).repeated = {min_items: 1, max_items: 3, unique: true, items: {string: {min_len: 1}}}];
  repeated int64 ids = 2 [(validate.rules).repeated.unique = true];
  repeated Leaf skipped = 3 [(validate.rules).repeated.items.message.skip = true];
  repeated Leaf leaves = 4;
  repeated string optional_list = 5 [(validate.rules).repeated = {min_items: 2, ignore_empty: true}];
  map<string, Leaf> by_name = 6 [(validate.rules).map = {min_pairs: 1, max_pairs: 2, no_sparse: true, keys: {string: {prefix: "k"}}}];
  map<uint32, string> by_port = 7 [(validate.rules).map = {keys: {uint32: {lte: 65535, gte: 1}}, values: {string: {min_len: 1}}}];
  repeated Color colors = 8 [(validate.rules).repeated.items.enum = {defined_only: true, not_in: [2]}];
  repeated bytes blobs = 9 [(validate.rules).repeated.items.bytes = {min_len: 1, max_len: 4}];
  map<string, Leaf> skipped_values = 10 [(validate.rules).map.values.message.skip = true];
  repeated google.protobuf.UInt32Value weights = 11 [(validate.rules).repeated.items.uint32.gte = 1];
}

message Messages {
  Leaf required = 1 [(validate.rules).message.required = true];
  Leaf skipped = 2 [(validate.rules).message.skip = true];
  Leaf checked = 3;
  Off off = 4;
  Ignored ignored = 5;
  google.protobuf.Duration timeout = 6 [(validate.rules).duration = {required: true, gt: {}, lte: {seconds: 60}}];
  google.protobuf.Duration listed = 7 [(validate.rules).duration = {in: {seconds: 1}, in: {nanos: 500000000}}];
  google.protobuf.Duration fixed = 8 [(validate.rules).duration = {const: {seconds: 2}, not_in: {seconds: 3}}];
  google.protobuf.Timestamp at = 9 [(validate.rules).timestamp = {gt: {seconds: 0}, lt: {seconds: 4102444800}}];
  google.protobuf.Timestamp recent = 10 [(validate.rules).timestamp = {lt_now: true, within: {seconds: 3600}}];
  google.protobuf.Any payload = 11 [(validate.rules).any = {required: true, in: ["type.googleapis.com/portico.protostest.Leaf", "type.googleapis.com/portico.protostest.Off"]}];
  google.protobuf.Any other = 12 [(validate.rules).any.not_in = "type.googleapis.com/portico.protostest.Off"];
  optional string opt = 13 [(validate.rules).string.min_len = 2];
  bytes raw = 14 [(validate.rules).bytes = {len: 4}];
  bytes framed = 15 [(validate.rules).bytes = {prefix: "<", suffix: ">", contains: "=", ignore_empty: true}];
  bytes ip = 16 [(validate.rules).bytes = {ipv4: true, ignore_empty: true}];
  Color color = 17 [(validate.rules).enum = {const: 1}];
  Color shade = 18 [(validate.rules).enum = {in: [0, 1]}];
  int32 mismatched = 19 [(validate.rules).string.min_len = 1];
  string future = 20 [(validate.rules).string.frobnicate = true];
  Leaf wrong_kind = 21 [(validate.rules).string.min_len = 5];
  google.protobuf.Timestamp soon = 22 [(validate.rules).timestamp.gt_now = true];
  google.protobuf.Timestamp near = 23 [(validate.rules).timestamp.within = {seconds: 60}];
}
`;

let added = false;

/** The Envoy Root with the portico.protostest package parsed into it (once per test module graph). */
export function syntheticProtos(): protobuf.Root {
  const root = envoyProtos();
  if (!added) {
    root.loadSync('google/protobuf/field_mask.proto', { keepCase: true });
    protobuf.parse(SOURCE, root, { keepCase: true });
    root.resolveAll();
    added = true;
  }
  return root;
}
