package core

// Names of the call gate exported for the black-box tests of package
// core_test only. They are behaviour to test, not API.
const (
	DescCallLimit   = descCallLimit
	DescASPaused    = descASPaused
	DefaultMaxCalls = defaultMaxCalls
	MaxPause        = maxPause
)

// CallsWaiting is how many calls wait for a place of the call limit.
func CallsWaiting(rs *ResourceServer) int { return len(rs.gate.queue) }

// QueueFactor sizes the call limit's queue.
const QueueFactor = queueFactor
