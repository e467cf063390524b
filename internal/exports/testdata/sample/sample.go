package sample

// Exported constants, variables, functions and types count; so do the
// exported methods of exported types.
const (
	Answer   = 42
	unseen   = 0
	One, Two = 1, 2
)

var Var, hidden = 1, 2

type Type struct {
	Field int // fields do not count
	field int
}

type Iface interface {
	Method() // interface methods do not count
}

type Generic[K comparable, V any] struct{ m map[K]V }

type private struct{}

func Func() {}

func helper() {}

func (Type) Value()       {}
func (*Type) Pointer()    {}
func (*Type) unexported() {}

func (*Generic[K, V]) Get(K) (v V) { return v }

func (private) Exported() {} // a method of an unexported type does not count
