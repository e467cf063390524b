package redistest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// slotCount is the number of hash slots of a Redis Cluster.
const slotCount = 16384

// clusterNode is one line of CLUSTER NODES: one node as another sees it.
type clusterNode struct {
	id, addr string
	flags    []string // myself, master, slave, fail?, fail, handshake, noaddr...
	master   string   // the master's id for a replica, else "-"
	linkUp   bool
	slots    [][2]int // inclusive ranges
}

func (n clusterNode) has(flag string) bool { return slices.Contains(n.flags, flag) }

// failing: the viewer suspects the node, or the cluster agreed it failed.
func (n clusterNode) failing() bool {
	return n.has("fail") || n.has("fail?") || n.has("handshake") || n.has("noaddr")
}

// owns reports whether the node serves slot.
func (n clusterNode) owns(slot int) bool {
	for _, r := range n.slots {
		if slot >= r[0] && slot <= r[1] {
			return true
		}
	}
	return false
}

// parseNodes reads a CLUSTER NODES reply:
// <id> <ip:port@cport[,hostname]> <flags> <master> <ping-sent> <pong-recv>
// <config-epoch> <link-state> <slot or range>...
func parseNodes(reply string) ([]clusterNode, error) {
	var nodes []clusterNode
	for line := range strings.SplitSeq(strings.TrimSpace(reply), "\n") {
		f := strings.Fields(line)
		if len(f) < 8 {
			return nil, fmt.Errorf("malformed CLUSTER NODES line %q", line)
		}
		addr, _, _ := strings.Cut(f[1], "@")
		n := clusterNode{
			id: f[0], addr: addr, flags: strings.Split(f[2], ","),
			master: f[3], linkUp: f[7] == "connected",
		}
		for _, s := range f[8:] {
			if strings.HasPrefix(s, "[") {
				continue // a slot being migrated or imported
			}
			lo, hi, isRange := strings.Cut(s, "-")
			if !isRange {
				hi = lo
			}
			a, err1 := strconv.Atoi(lo)
			b, err2 := strconv.Atoi(hi)
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("malformed slot %q in CLUSTER NODES line %q", s, line)
			}
			n.slots = append(n.slots, [2]int{a, b})
		}
		nodes = append(nodes, n)
	}
	return nodes, nil
}

// clusterView is one node's CLUSTER INFO and CLUSTER NODES.
type clusterView struct {
	from  string // the node asked
	info  string
	nodes []clusterNode
}

// view asks s for its view of the cluster.
func view(s *Server) (clusterView, error) {
	v := clusterView{from: s.Addr()}
	err := s.session(func(c *conn) error {
		var err error
		if v.info, err = text(c.do("CLUSTER", "INFO")); err != nil {
			return err
		}
		reply, err := text(c.do("CLUSTER", "NODES"))
		if err != nil {
			return err
		}
		v.nodes, err = parseNodes(reply)
		return err
	})
	if err != nil {
		return v, fmt.Errorf("%s: %w", s.Addr(), err)
	}
	return v, nil
}

// owner is the address of the master that serves slot in this view.
func (v clusterView) owner(slot int) (string, error) {
	for _, n := range v.nodes {
		if n.has("master") && n.owns(slot) {
			return n.addr, nil
		}
	}
	return "", fmt.Errorf("%s: no master serves slot %d", v.from, slot)
}

// masters are the addresses of the masters that serve slots, sorted.
func (v clusterView) masters() []string {
	var out []string
	for _, n := range v.nodes {
		if n.has("master") && len(n.slots) > 0 {
			out = append(out, n.addr)
		}
	}
	slices.Sort(out)
	return out
}

// serving checks that the cluster serves every slot in this view: state
// ok, and each slot's master is neither failing nor one of gone.
func (v clusterView) serving(gone ...string) error {
	if st := infoField(v.info, "cluster_state"); st != "ok" {
		return fmt.Errorf("%s: cluster_state:%s", v.from, st)
	}
	if ok := infoField(v.info, "cluster_slots_ok"); ok != strconv.Itoa(slotCount) {
		return fmt.Errorf("%s: cluster_slots_ok:%s", v.from, ok)
	}
	covered := 0
	for _, n := range v.nodes {
		if !n.has("master") || len(n.slots) == 0 {
			continue
		}
		if n.failing() || slices.Contains(gone, n.addr) {
			return fmt.Errorf("%s: slots still served by %s (%s)", v.from, n.addr, strings.Join(n.flags, ","))
		}
		for _, r := range n.slots {
			covered += r[1] - r[0] + 1
		}
	}
	if covered != slotCount {
		return fmt.Errorf("%s: masters serve %d slots of %d", v.from, covered, slotCount)
	}
	return nil
}

// complete checks the shape StartCluster promises in this view: every
// slot served, wantNodes nodes all connected and healthy, and each master
// with exactly one replica.
func (v clusterView) complete(wantNodes int) error {
	if err := v.serving(); err != nil {
		return err
	}
	if len(v.nodes) != wantNodes {
		return fmt.Errorf("%s: knows %d nodes, want %d", v.from, len(v.nodes), wantNodes)
	}
	replicas := map[string]int{}
	for _, n := range v.nodes {
		if n.failing() || !n.linkUp {
			return fmt.Errorf("%s: node %s is %s, link connected=%v", v.from, n.addr, strings.Join(n.flags, ","), n.linkUp)
		}
		if n.has("slave") {
			replicas[n.master]++
		}
	}
	for _, n := range v.nodes {
		if n.has("master") && replicas[n.id] != 1 {
			return fmt.Errorf("%s: master %s has %d replicas, want 1", v.from, n.addr, replicas[n.id])
		}
	}
	return nil
}
