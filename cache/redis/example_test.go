package rediscache_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"time"

	rediscache "github.com/oidcrs/oidcrs/cache/redis"
	"github.com/oidcrs/oidcrs/core"
)

// A replica opens the shared cache from its settings and hands it to the
// resource server, which closes it. The URL alone says the deployment:
//
//	OIDC_RS_CACHE_URL=rediss://:password@cache:6380/0                                   one server, TLS
//	OIDC_RS_CACHE_URL=unix:///run/redis/redis.sock?db=0                                 one server, local socket
//	OIDC_RS_CACHE_URL=redis://:password@node1:6379?addr=node2:6379&addr=node3:6379      Redis Cluster
//	OIDC_RS_CACHE_URL=redis://sentinel1:26379?master_name=mymaster&addr=sentinel2:26379&password=password   Sentinel
//
// (Not run: it needs Redis and an authorization server.)
func Example() {
	s, err := core.SettingsFromEnv(os.LookupEnv) // OIDC_RS_CACHE_URL, OIDC_RS_CACHE_TLS_CA_FILE, ...
	if err != nil {
		log.Fatal(err)
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	// The context bounds the start-up check of a one-server URL, which
	// turns a Redis Cluster node's URL into a Cluster client.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	store, err := rediscache.OpenConfig(ctx, rediscache.ConfigFrom(s, logger))
	if err != nil {
		log.Fatal(err)
	}
	rs, err := core.New(s, core.WithSharedCache(store), core.WithLogger(logger))
	if err != nil {
		_ = store.Close()
		log.Fatal(err)
	}
	defer rs.Close() // closes store too
}

// OpenConfig reads the deployment from the URL with go-redis's own
// parsers, and refuses what they would misread, such as a list of hosts
// separated by commas; its errors never show a password.
func ExampleOpenConfig() {
	_, err := rediscache.OpenConfig(context.Background(), rediscache.Config{
		URL: "redis://:hunter2@cache1.example:6379,cache2.example:6379/0",
	})
	fmt.Println(err)
	// Output: rediscache: the Redis URL names several hosts separated by commas, which go-redis does not read: name one host and add each other node as addr=host:port (Redis Cluster), or the sentinels as addr=host:port with master_name=name (Sentinel)
}

// TLS files go with a rediss:// URL only: nothing is half configured.
func ExampleOpenConfig_tls() {
	_, err := rediscache.OpenConfig(context.Background(), rediscache.Config{
		URL:       "redis://:hunter2@cache.example:6379/0",
		TLSCAFile: "/etc/oidcrs/redis-ca.pem",
	})
	fmt.Println(err)
	// Output: rediscache: TLS files are set but the Redis URL does not use TLS: use rediss://
}

// Open takes redis://, rediss:// and unix:// URLs; its errors never show
// the password.
func ExampleOpen() {
	_, err := rediscache.Open("https://user:hunter2@cache.example:6379/0", 0)
	fmt.Println(err)
	// Output: rediscache: Redis URL scheme "https" is not supported: use redis://[user:password@]host[:port][/db], rediss://... (TLS) or unix://[user:password@]/path.sock[?db=n] for one server, ...?addr=host:port[&addr=...] for a Redis Cluster, or ...?master_name=name for Sentinel
}
