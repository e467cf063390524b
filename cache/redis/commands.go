package rediscache

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Get returns the value of each key, in order, nil for a missing key, with
// one MGET. On Redis Cluster every key must hash to one slot (share a
// "{...}" hash tag, as the resource server's keys do); Redis refuses the
// call otherwise.
func (s *Store) Get(ctx context.Context, keys ...string) ([][]byte, error) {
	if len(keys) == 0 {
		return [][]byte{}, nil
	}
	var vals []any
	err := s.run(ctx, "get", keys[0], func(ctx context.Context) (err error) {
		vals, err = s.client.MGet(ctx, keys...).Result()
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(vals) != len(keys) {
		return nil, failure("get", fmt.Errorf("%d values for %d keys", len(vals), len(keys)))
	}
	out := make([][]byte, len(vals))
	for i, v := range vals {
		switch v := v.(type) {
		case nil:
		case string:
			out[i] = make([]byte, len(v)) // non-nil even when empty
			copy(out[i], v)
		default:
			return nil, failure("get", fmt.Errorf("unexpected value type %T", v))
		}
	}
	return out, nil
}

// Set stores value under key for ttl, rounded up to a whole millisecond
// (SET with PX, or EX for whole seconds). A ttl that is not positive is an
// error: the store never keeps a value forever.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	ttl, err := roundTTL(ttl)
	if err != nil {
		return failure("set", err)
	}
	return s.run(ctx, "set", key, func(ctx context.Context) error {
		return s.client.Set(ctx, key, value, ttl).Err()
	})
}

// SetNX stores value under key for ttl only when key does not exist (SET
// with NX and PX), and reports whether it did. ttl is rounded as by Set.
func (s *Store) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	ttl, err := roundTTL(ttl)
	if err != nil {
		return false, failure("setnx", err)
	}
	var ok bool
	err = s.run(ctx, "setnx", key, func(ctx context.Context) (err error) {
		ok, err = s.client.SetNX(ctx, key, value, ttl).Result()
		if errors.Is(err, redis.Nil) {
			return nil
		}
		return err
	})
	return ok, err
}

// deleteIfEqual deletes KEYS[1] only while its value is ARGV[1], atomically.
var deleteIfEqual = redis.NewScript(`if redis.call("GET",KEYS[1])==ARGV[1] then return redis.call("DEL",KEYS[1]) else return 0 end`)

// DeleteIfEqual deletes key only while its value is value, atomically, with
// a Lua script (EVALSHA, then EVAL once if Redis does not know the script).
func (s *Store) DeleteIfEqual(ctx context.Context, key string, value []byte) error {
	return s.run(ctx, "delete if equal", key, func(ctx context.Context) error {
		return deleteIfEqual.Run(ctx, s.client, []string{key}, value).Err()
	})
}

// Delete deletes keys with one DEL. On Redis Cluster every key must hash to
// one slot, as for Get; the resource server deletes one key per call.
func (s *Store) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	return s.run(ctx, "delete", keys[0], func(ctx context.Context) error {
		return s.client.Del(ctx, keys...).Err()
	})
}
