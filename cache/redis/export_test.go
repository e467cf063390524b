package rediscache

import "github.com/redis/go-redis/v9"

// ClientOptions returns the options of the client Open built.
func ClientOptions(s *Store) *redis.Options { return s.client.(*redis.Client).Options() }
