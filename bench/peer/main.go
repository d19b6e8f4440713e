// The peer for bench/scale.ts: go-control-plane serving the resources that `portico translate -o json`
// printed, over ADS (SotW and Delta) on 127.0.0.1, from its SnapshotCache or its LinearCache.
//
//	peer -address 127.0.0.1:0 -cache snapshot|linear
//
// Reads commands on stdin, one per line: `load <file.json>` replaces the served resources with that
// file's (every ingress class's resources merged into one fleet). Answers on stdout:
// `listening <address>` once, then `loaded <version> <resources> <parse ms> <set ms>` per load.
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
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/stream/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/buffer/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
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

func main() {
	address := flag.String("address", "127.0.0.1:0", "listen address")
	cacheKind := flag.String("cache", "snapshot", "snapshot or linear")
	flag.Parse()
	ctx := context.Background()

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

	srv := server.NewServer(ctx, xdsCache, server.CallbackFuncs{})
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
		if err := apply(strconv.Itoa(version), resources); err != nil {
			fmt.Printf("error %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
			continue
		}
		fmt.Printf("loaded %d %d %.1f %.1f\n", version, count, float64(parsed.Sub(started).Microseconds())/1000, float64(time.Since(parsed).Microseconds())/1000)
	}
	grpcServer.Stop()
}
