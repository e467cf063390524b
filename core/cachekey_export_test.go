package core

// CMACMaxLen is the longest token keyed with CMAC without a shared cache.
const CMACMaxLen = cmacMaxLen

// Keyer makes first-level cache keys, as a ResourceServer does.
type Keyer = keyer

// NewKeyer returns a keyer under a zero fingerprint: CMAC under a fresh
// key for short tokens unless shared, SHA-256 otherwise.
func NewKeyer(shared bool) *Keyer { k := newKeyer(fingerprint{}, shared); return &k }

// Key is k's cache key of token.
func (k *keyer) Key(token string) CacheKey { return k.key(token) }
