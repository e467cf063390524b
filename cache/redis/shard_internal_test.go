package rediscache

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slot is Redis Cluster's key slot, written here from the specification
// (CRC16-XMODEM of the hash tag, modulo 16384), apart from go-redis's.
func slot(key string) int {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			key = key[i+1 : i+1+j]
		}
	}
	var crc uint16
	for _, c := range []byte(key) {
		crc ^= uint16(c) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return int(crc) % 16384
}

func TestSlotMatchesTheSpecification(t *testing.T) {
	// The specification's test vector, and slots that redis-cli CLUSTER
	// KEYSLOT gives.
	assert.Equal(t, 0x31C3, slot("123456789"))
	assert.Equal(t, 12182, slot("foo"))
	assert.Equal(t, 5061, slot("bar"))
	assert.Equal(t, slot("user1000"), slot("{user1000}.following"))
}

func TestShardChannelsCoverEverySplit(t *testing.T) {
	for _, channel := range []string{"oidcrs:inval", "", "{other}tag", "}{"} {
		names := shardChannels(channel)
		require.Len(t, names, len(shardTags))
		slots := map[int]bool{}
		for i, name := range names {
			assert.True(t, strings.HasPrefix(name, strings.NewReplacer("{", "", "}", "").Replace(channel)), "%q keeps the channel's prefix, for ACL rules", name)
			assert.Equal(t, slot(shardTags[i]), slot(name), "%q: the tag decides the slot, whatever the channel holds", name)
			slots[slot(name)] = true
		}
		// Masters that split the slots evenly in n ranges each serve at
		// least one name.
		for n := 1; n <= 6; n++ {
			for part := range n {
				lo, hi := part*16384/n, (part+1)*16384/n
				found := false
				for s := range slots {
					found = found || (s >= lo && s < hi)
				}
				assert.True(t, found, "%q: no sharded name in slots [%d, %d) of %d parts", channel, lo, hi, n)
			}
		}
	}
}

func TestShardTagsAreTheWireFormat(t *testing.T) {
	// Replicas of different versions must agree: changing a tag is a
	// breaking change of the invalidation protocol.
	assert.Equal(t, []string{
		"oidcrs:inval:{shard11}", "oidcrs:inval:{shard3124}", "oidcrs:inval:{shard293}",
		"oidcrs:inval:{shard935}", "oidcrs:inval:{shard2695}", "oidcrs:inval:{shard708}",
	}, shardChannels("oidcrs:inval"))
	var got []int
	for _, tag := range shardTags {
		got = append(got, slot(tag))
	}
	assert.Equal(t, []int{1364, 4096, 6824, 9556, 12287, 15019}, got)
}
