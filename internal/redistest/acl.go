package redistest

import (
	"crypto/rand"
	"encoding/hex"
	"testing"
)

// ACLUser is a Redis user that a harness creates on every data node
// (not on sentinels). With one, the default user is switched off: each
// connection must authenticate to run any command, and the harness uses
// a user of its own, allowed everything, for replication and its checks.
type ACLUser struct {
	// Name is the user's name. It must not be "default".
	Name string
	// Password is the user's password. Default value: 32 random hex
	// digits.
	Password string
	// Rules are ACL SETUSER rules, applied after "on" and the password,
	// for example "~oidcrs:*", "&oidcrs:*", "+get", "+set". Default
	// value: none, a user allowed no command, key or channel.
	Rules []string
}

// adminName is the harness's own user when the default user is off.
const adminName = "redistest-admin"

// complete copies u with its defaults filled in; a user named "default"
// fails the test.
func (u ACLUser) complete(t testing.TB) *ACLUser {
	t.Helper()
	if u.Name == "" || u.Name == "default" || u.Name == adminName {
		t.Fatalf("redistest: ACLUser.Name %q: name a user of your own", u.Name)
	}
	if u.Password == "" {
		u.Password = randomHex(t)
	}
	u.Rules = append([]string(nil), u.Rules...)
	return &u
}

// newAdmin is the harness's user: every command, key and channel.
func newAdmin(t testing.TB) *ACLUser {
	return &ACLUser{Name: adminName, Password: randomHex(t), Rules: []string{"~*", "&*", "+@all"}}
}

func randomHex(t testing.TB) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("redistest: %v", err)
	}
	return hex.EncodeToString(b)
}

// aclConf is the configuration that creates user and admin, switches the
// default user off, and has a replica authenticate to its master as
// admin. Nothing when user is nil.
func aclConf(user, admin *ACLUser) []string {
	if user == nil {
		return nil
	}
	lines := []string{"user default off"}
	for _, u := range []*ACLUser{admin, user} {
		line := "user " + quote(u.Name) + " reset on " + quote(">"+u.Password)
		for _, r := range u.Rules {
			line += " " + quote(r)
		}
		lines = append(lines, line)
	}
	return append(lines, "masteruser "+quote(admin.Name), "masterauth "+quote(admin.Password))
}
