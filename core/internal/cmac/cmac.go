// Package cmac is AES-CMAC (NIST SP 800-38B, RFC 4493): a pseudo-random
// function of a message under a secret AES key, with a 16-byte output.
package cmac

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"sync"
)

// Size is the length of a tag.
const Size = aes.BlockSize

// MAC computes AES-CMAC tags under one key. It is safe for concurrent use.
type MAC struct {
	block  cipher.Block
	k1, k2 [Size]byte // the subkeys: for a whole last block, for a padded one
}

// New returns the MAC of key, an AES key of 16, 24 or 32 bytes.
func New(key []byte) (*MAC, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	m := &MAC{block: block}
	var l [Size]byte
	block.Encrypt(l[:], l[:])
	m.k1 = double(l)
	m.k2 = double(m.k1)
	return m, nil
}

// double multiplies b by x in GF(2^128), the subkey step of RFC 4493
// section 2.3, without a branch on the key's bits.
func double(b [Size]byte) [Size]byte {
	hi := binary.BigEndian.Uint64(b[:8])
	lo := binary.BigEndian.Uint64(b[8:])
	rb := -(hi >> 63) & 0x87
	var out [Size]byte
	binary.BigEndian.PutUint64(out[:8], hi<<1|lo>>63)
	binary.BigEndian.PutUint64(out[8:], lo<<1^rb)
	return out
}

// states are the chaining values of Sum. A slice given to the block's
// Encrypt, an interface method, escapes: a chaining value on Sum's stack
// would be allocated on every call. A pooled one is not (but after a
// garbage collection empties the pool).
var states = sync.Pool{New: func() any { return new([Size]byte) }}

// Sum returns the tag of msg (RFC 4493 section 2.4).
func (m *MAC) Sum(msg []byte) [Size]byte {
	x := states.Get().(*[Size]byte)
	*x = [Size]byte{}
	for len(msg) > Size {
		xor(x, msg)
		m.block.Encrypt(x[:], x[:])
		msg = msg[Size:]
	}
	// The last block: whole (and not empty) under k1, else padded with
	// 0x80 and zeros under k2.
	k := &m.k1
	if len(msg) < Size {
		k = &m.k2
		x[len(msg)] ^= 0x80
	}
	for i, c := range msg {
		x[i] ^= c
	}
	xor(x, k[:])
	m.block.Encrypt(x[:], x[:])
	tag := *x
	states.Put(x)
	return tag
}

// xor sets x ^= src[:16], as two words.
func xor(x *[Size]byte, src []byte) {
	le := binary.LittleEndian
	le.PutUint64(x[0:], le.Uint64(x[0:])^le.Uint64(src[0:]))
	le.PutUint64(x[8:], le.Uint64(x[8:])^le.Uint64(src[8:]))
}
