package rediscache

import (
	"context"
)

// run runs call, which works on key (and keys sharing its hash slot), and
// returns its error as a storeError of op.
//
// In Cluster mode it goes through the breaker of the master serving key:
// while that master's breaker is open, run fails fast without calling;
// each outcome is counted; when the breaker opens, the slot map is
// reloaded. A failure of one master while others answer is Partial.
func (s *Store) run(ctx context.Context, op, key string, call func(context.Context) error) error {
	if s.cluster == nil {
		err := call(ctx)
		if err != nil {
			s.hintCluster(err)
		}
		return failure(op, err)
	}
	node, err := s.cluster.MasterForKey(ctx, key)
	if err != nil { // no slot map: the call could not run either
		return failure(op, err)
	}
	addr := node.Options().Addr
	if class, open := s.nodes.open(addr); open {
		return &storeError{op: op, class: class, partial: s.nodes.partial(addr), err: errNodeDown}
	}
	err = call(ctx)
	class := ""
	if err != nil {
		class = classify(err)
	}
	switch s.nodes.record(addr, class) {
	case opened:
		s.log.Warn("rediscache: a Redis Cluster master failed repeatedly: its keys fail fast for a moment while the slot map reloads",
			"node", addr, "failure", class, "cooldown", nodeCooldown)
		s.cluster.ReloadState(ctx)
	case reopened:
		s.log.Debug("rediscache: a Redis Cluster master still fails", "node", addr, "failure", class)
		s.cluster.ReloadState(ctx)
	case recovered:
		s.log.Info("rediscache: a Redis Cluster master answers again", "node", addr)
	}
	if err == nil {
		return nil
	}
	return &storeError{op: op, class: class, partial: nodeClass(class) && s.nodes.partial(addr), err: err}
}
