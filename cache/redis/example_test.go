package rediscache_test

import (
	"fmt"
	"log"
	"os"

	rediscache "github.com/oidcrs/oidcrs/cache/redis"
	"github.com/oidcrs/oidcrs/core"
)

// A replica opens the shared cache from its settings and hands it to the
// resource server, which closes it. (Not run: it needs Redis and an
// authorization server.)
func Example() {
	s, err := core.SettingsFromEnv(os.LookupEnv) // OIDC_RS_CACHE_URL=rediss://:password@cache:6380/0, ...
	if err != nil {
		log.Fatal(err)
	}
	store, err := rediscache.Open(s.CacheURL, s.CacheTimeout)
	if err != nil {
		log.Fatal(err)
	}
	rs, err := core.New(s, core.WithSharedCache(store))
	if err != nil {
		_ = store.Close()
		log.Fatal(err)
	}
	defer rs.Close() // closes store too
}

// Open takes redis:// and rediss:// URLs only; its errors never show the
// password.
func ExampleOpen() {
	_, err := rediscache.Open("https://user:hunter2@cache.example:6379/0", 0)
	fmt.Println(err)
	// Output: rediscache: Redis URL scheme "https" is not supported: use redis:// or rediss:// (TLS)
}
