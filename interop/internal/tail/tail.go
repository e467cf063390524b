// Package tail keeps the end of a server's output, to show when a test
// that started the server fails.
package tail

import "sync"

// Buffer keeps the last bytes written to it, up to its size; it is safe
// for concurrent use.
type Buffer struct {
	mu   sync.Mutex
	buf  []byte
	size int
}

// New returns a Buffer that keeps the last size bytes.
func New(size int) *Buffer { return &Buffer{size: size} }

// Write keeps p, dropping the oldest bytes past the size.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.size; over > 0 {
		b.buf = b.buf[over:]
	}
	return len(p), nil
}

// String returns what is kept.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
