package mcprs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"

	"github.com/modelcontextprotocol/go-sdk/auth"

	"github.com/oidcrs/oidcrs/core"
)

var errNoVerdict = errors.New("mcprs: no oidcrs verdict in the request context")

// fromVerdict is the SDK's TokenVerifier: it reads what oidcrs decided and
// looks at the token only to bind a session that has no other owner.
func fromVerdict(ctx context.Context, tok string, _ *http.Request) (*auth.TokenInfo, error) {
	ti, ok := core.FromContext(ctx)
	if !ok {
		return nil, errors.Join(auth.ErrInvalidToken, errNoVerdict)
	}
	// claims: a copy of the answer, decoded once per cached token (Claims).
	extra := map[string]any{extraKey: ti, "sub": ti.Subject, "client_id": ti.ClientID,
		"origin_audience": ti.OriginAudience(), "claims": ti.Claims()}
	return &auth.TokenInfo{Scopes: ti.Scopes, Expiration: ti.ExpiresAt, UserID: sessionOwner(ti, tok), Extra: extra}, nil
}

// sessionOwner is the SDK's auth.TokenInfo.UserID, which the stateful
// transport binds each session to: a later request of the session is
// answered 403 unless its token yields the same value. It names the
// issuer (the iss claim; "" for an introspection answer without one) and
// the user: sub; without sub, client_id (a client_credentials token); with
// neither, a SHA-256 of the token itself, so that only that token can use
// the session. A sub never equals a client_id and no issuer of one
// authorization server equals another's: see ownerID.
func sessionOwner(ti *core.TokenInfo, token string) string {
	switch {
	case ti.Subject != "":
		return ownerID("sub", ti.Issuer, ti.Subject)
	case ti.ClientID != "":
		return ownerID("client_id", ti.Issuer, ti.ClientID)
	default:
		sum := sha256.Sum256([]byte(token))
		return ownerID("token", ti.Issuer, hex.EncodeToString(sum[:]))
	}
}

// ownerID encodes an owner as its kind, then the issuer and the value,
// each quoted as Go quotes strings (strconv.Quote), separated by spaces:
//
//	sub "https://as.example" "user-1"
//
// A quoted string ends at its first unescaped quote, so the text splits
// one way only: no choice of issuer and value can imitate another pair.
func ownerID(kind, issuer, value string) string {
	return kind + " " + strconv.Quote(issuer) + " " + strconv.Quote(value)
}
