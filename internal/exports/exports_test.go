package exports

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadCountsByTheDocumentedMethod(t *testing.T) {
	p, ok, err := Read("testdata/sample")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "sample", p.Name)
	assert.Equal(t, []string{
		"Answer", "Func", "Generic", "Generic.Get", "Iface", "One",
		"Two", "Type", "Type.Pointer", "Type.Value", "Var",
	}, p.Names)
}

func TestReadWithoutGoFiles(t *testing.T) {
	_, ok, err := Read("testdata")
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestSectionWrapsAndCounts(t *testing.T) {
	names := make([]string, 30)
	for i := range names {
		names[i] = "Name" + strings.Repeat("x", i%7)
	}
	s := Section([]Package{{Dir: "a/b", Name: "b", Names: names}})
	assert.True(t, strings.HasPrefix(s, Begin+"\n"))
	assert.True(t, strings.HasSuffix(s, "\n"+End))
	assert.Contains(t, s, "| `b` | `a/b` | 30 |\n")
	assert.Contains(t, s, "\n`b` (30): `Name`,")
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(line, "<!--") {
			assert.LessOrEqual(t, len(line), width, line)
		}
	}
	assert.Equal(t, 30, strings.Count(s, "`Name"))
}

func TestSplice(t *testing.T) {
	doc := "intro\n" + Begin + "\nold\n" + End + "\nrest\n"
	out, old, err := Splice(doc, Begin+"\nnew\n"+End)
	require.NoError(t, err)
	assert.Equal(t, "intro\n"+Begin+"\nnew\n"+End+"\nrest\n", out)
	assert.Equal(t, Begin+"\nold\n"+End, old)

	for _, bad := range []string{"no markers", End + Begin, doc + doc} {
		_, _, err := Splice(bad, "x")
		assert.Error(t, err, bad)
	}
}
