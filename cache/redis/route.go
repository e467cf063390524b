package rediscache

import (
	"context"
)

// run runs call, which works on key (and keys sharing its hash slot), and
// returns its error as a storeError of op. A redirection on a one-server
// client tells that the URL names a Cluster node (see hintCluster).
func (s *Store) run(ctx context.Context, op, key string, call func(context.Context) error) error {
	err := call(ctx)
	if err != nil {
		s.hintCluster(err)
	}
	return failure(op, err)
}
