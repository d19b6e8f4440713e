// The peer for bench/scale.ts: go-control-plane serving the resources that `portico translate -o json`
// printed, over ADS (SotW and Delta) on 127.0.0.1, from its SnapshotCache or its LinearCache.
//
//	peer -address 127.0.0.1:0 -cache snapshot|linear
//
// Reads commands on stdin, one per line: `load <file.json>` replaces the served resources with that
// file's (every ingress class's resources merged into one fleet). Answers on stdout:
// `listening <address>` once, then `loaded <version> <resources> <parse ms> <set ms>` per load.
//
// For Delta the file is `portico translate --xds-protocol delta` output: route configurations with
// vhds set and no virtual hosts, and the virtual hosts as their own resources (`virtualHosts`, each
// named `<route configuration>/<host>`), served over VHDS like Portico does.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	// Every extension type Portico's translation can put in an Any (protojson must resolve them).
	_ "github.com/cncf/xds/go/xds/type/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/stream/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/buffer/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/cors/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_authz/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/local_ratelimit/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/rbac/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/load_balancing_policies/least_request/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/load_balancing_policies/ring_hash/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/load_balancing_policies/round_robin/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/retry/host/previous_hosts/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	discoverygrpc "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"github.com/envoyproxy/go-control-plane/pkg/server/v3"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// One fleet: every node gets the same snapshot.
type oneGroup struct{}

func (oneGroup) ID(*corev3.Node) string { return "fleet" }

type kind struct {
	field   string
	typeURL string
	make    func() proto.Message
}

var kinds = []kind{
	{"listeners", resource.ListenerType, func() proto.Message { return &listenerv3.Listener{} }},
	{"routeConfigurations", resource.RouteType, func() proto.Message { return &routev3.RouteConfiguration{} }},
	{"virtualHosts", resource.VirtualHostType, func() proto.Message { return &routev3.VirtualHost{} }},
	{"clusters", resource.ClusterType, func() proto.Message { return &clusterv3.Cluster{} }},
	{"clusterLoadAssignments", resource.EndpointType, func() proto.Message { return &endpointv3.ClusterLoadAssignment{} }},
	{"secrets", resource.SecretType, func() proto.Message { return &tlsv3.Secret{} }},
}

type translation struct {
	IngressClasses map[string]map[string][]json.RawMessage `json:"ingressClasses"`
}

func load(path string) (map[string][]types.Resource, int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	var t translation
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, 0, err
	}
	out := map[string][]types.Resource{}
	count := 0
	for _, fleet := range t.IngressClasses {
		for _, k := range kinds {
			for _, raw := range fleet[k.field] {
				msg := k.make()
				if err := protojson.Unmarshal(raw, msg); err != nil {
					return nil, 0, fmt.Errorf("%s: %w", k.field, err)
				}
				out[k.typeURL] = append(out[k.typeURL], msg)
				count++
			}
		}
	}
	return out, count, nil
}

// vhdsNamespaces rewrites VHDS subscriptions for go-control-plane, which has no namespace matching.
// Envoy's VhdsSubscription subscribes to VirtualHost with resource_names_subscribe = [<route
// configuration name>]: a namespace meaning "every VirtualHost named `<name>/...`". Neither cache
// knows that: both would look for a resource literally named `<name>`, find none, and never send
// anything. So before the server processes a Delta VirtualHost request, a subscribed name that is
// not a resource name but is a namespace of one (some VirtualHost is named `<name>/...`) becomes
// the explicit wildcard "*", and so does the unsubscription of the stream's last namespace (the
// stream stays wildcard while it has any namespace subscribed). The approximation: a wildcard
// stream gets the virtual hosts of every route configuration, not only of those it subscribed to;
// the benchmark's clients subscribe to every route configuration their listeners name, which is
// all of them.
type vhdsNamespaces struct {
	// names and namespaces of the served VirtualHosts, replaced on every load.
	served atomic.Pointer[vhostNames]
	mu     sync.Mutex
	// namespaces each Delta stream has subscribed to, by stream ID.
	streams map[int64]map[string]struct{}
}

type vhostNames struct {
	names      map[string]struct{}
	namespaces map[string]struct{}
}

func (v *vhdsNamespaces) setServed(vhosts []types.Resource) {
	served := &vhostNames{names: map[string]struct{}{}, namespaces: map[string]struct{}{}}
	for _, r := range vhosts {
		name := cache.GetResourceName(r)
		served.names[name] = struct{}{}
		for i := range len(name) {
			if name[i] == '/' {
				served.namespaces[name[:i]] = struct{}{}
			}
		}
	}
	v.served.Store(served)
}

// isNamespace: some VirtualHost is named `<name>/...` and none is named `<name>`.
func (v *vhdsNamespaces) isNamespace(name string) bool {
	served := v.served.Load()
	if served == nil {
		return false
	}
	_, isName := served.names[name]
	_, isNamespace := served.namespaces[name]
	return isNamespace && !isName
}

func (v *vhdsNamespaces) onDeltaRequest(streamID int64, req *discoverygrpc.DeltaDiscoveryRequest) error {
	if req.GetTypeUrl() != resource.VirtualHostType {
		return nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	subscribed := v.streams[streamID]
	if subscribed == nil {
		subscribed = map[string]struct{}{}
		v.streams[streamID] = subscribed
	}
	wildcard := false
	var subscribe []string
	for _, name := range req.GetResourceNamesSubscribe() {
		if v.isNamespace(name) {
			subscribed[name] = struct{}{}
			wildcard = true
			continue
		}
		subscribe = append(subscribe, name)
	}
	if wildcard {
		subscribe = append(subscribe, "*")
	}
	var unsubscribe []string
	for _, name := range req.GetResourceNamesUnsubscribe() {
		if _, ok := subscribed[name]; ok {
			delete(subscribed, name)
			if len(subscribed) == 0 {
				unsubscribe = append(unsubscribe, "*")
			}
			continue
		}
		unsubscribe = append(unsubscribe, name)
	}
	req.ResourceNamesSubscribe = subscribe
	req.ResourceNamesUnsubscribe = unsubscribe
	return nil
}

func (v *vhdsNamespaces) onDeltaStreamClosed(streamID int64, _ *corev3.Node) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.streams, streamID)
}

func main() {
	address := flag.String("address", "127.0.0.1:0", "listen address")
	cacheKind := flag.String("cache", "snapshot", "snapshot or linear")
	flag.Parse()
	ctx := context.Background()
	vhds := &vhdsNamespaces{streams: map[int64]map[string]struct{}{}}

	var xdsCache cache.Cache
	var apply func(version string, resources map[string][]types.Resource) error
	switch *cacheKind {
	case "snapshot":
		snapshots := cache.NewSnapshotCache(true, oneGroup{}, nil)
		xdsCache = snapshots
		apply = func(version string, resources map[string][]types.Resource) error {
			snapshot, err := cache.NewSnapshot(version, resources)
			if err != nil {
				return err
			}
			return snapshots.SetSnapshot(ctx, "fleet", snapshot)
		}
	case "linear":
		linear := map[string]*cache.LinearCache{}
		caches := map[string]cache.Cache{}
		for _, k := range kinds {
			linear[k.typeURL] = cache.NewLinearCache(k.typeURL)
			caches[k.typeURL] = linear[k.typeURL]
		}
		xdsCache = &cache.MuxCache{
			Classify:      func(r *cache.Request) string { return r.GetTypeUrl() },
			ClassifyDelta: func(r *cache.DeltaRequest) string { return r.GetTypeUrl() },
			Caches:        caches,
		}
		previous := map[string]map[string]types.Resource{}
		// Per-resource updates: only resources whose content changed are handed to the cache.
		apply = func(_ string, resources map[string][]types.Resource) error {
			for _, k := range kinds {
				next := map[string]types.Resource{}
				for _, r := range resources[k.typeURL] {
					next[cache.GetResourceName(r)] = r
				}
				old := previous[k.typeURL]
				update := map[string]types.Resource{}
				var remove []string
				for name, r := range next {
					if was, ok := old[name]; !ok || !proto.Equal(was, r) {
						update[name] = r
					}
				}
				for name := range old {
					if _, ok := next[name]; !ok {
						remove = append(remove, name)
					}
				}
				if old == nil {
					linear[k.typeURL].SetResources(next)
				} else if len(update) > 0 || len(remove) > 0 {
					linear[k.typeURL].UpdateResources(update, remove)
				}
				previous[k.typeURL] = next
			}
			return nil
		}
	default:
		fmt.Fprintf(os.Stderr, "unknown cache %q\n", *cacheKind)
		os.Exit(2)
	}

	// The callbacks run on every stream's goroutine, before the request is processed.
	srv := server.NewServer(ctx, xdsCache, server.CallbackFuncs{
		StreamDeltaRequestFunc: vhds.onDeltaRequest,
		DeltaStreamClosedFunc:  vhds.onDeltaStreamClosed,
	})
	grpcServer := grpc.NewServer(grpc.MaxConcurrentStreams(1_000_000))
	discoverygrpc.RegisterAggregatedDiscoveryServiceServer(grpcServer, srv)
	listener, err := net.Listen("tcp", *address)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go func() { _ = grpcServer.Serve(listener) }()
	fmt.Printf("listening %s\n", listener.Addr().String())

	scanner := bufio.NewScanner(os.Stdin)
	version := 0
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if !strings.HasPrefix(line, "load ") {
			continue
		}
		started := time.Now()
		resources, count, err := load(strings.TrimPrefix(line, "load "))
		if err != nil {
			fmt.Printf("error %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
			continue
		}
		parsed := time.Now()
		version++
		vhds.setServed(resources[resource.VirtualHostType])
		if err := apply(strconv.Itoa(version), resources); err != nil {
			fmt.Printf("error %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
			continue
		}
		fmt.Printf("loaded %d %d %.1f %.1f\n", version, count, float64(parsed.Sub(started).Microseconds())/1000, float64(time.Since(parsed).Microseconds())/1000)
	}
	grpcServer.Stop()
}
