package app

import "github.com/oidcrs/oidcrs/core"

// Me is the answer of GET /api/me.
type Me struct {
	Subject  string   `json:"sub"`
	Audience string   `json:"audience"` // the token's origin audience
	ClientID string   `json:"client_id"`
	Scopes   []string `json:"scopes"`
}

// NewMe describes the token of the request; originAudience comes from the
// adapter's OriginAudience accessor.
func NewMe(ti *core.TokenInfo, originAudience string) Me {
	if ti == nil {
		return Me{}
	}
	return Me{Subject: ti.Subject, Audience: originAudience, ClientID: ti.ClientID, Scopes: ti.Scopes}
}

// Admin is the answer of GET /api/admin.
type Admin struct {
	Message string `json:"message"`
	Subject string `json:"sub"`
}

// NewAdmin greets the token's subject.
func NewAdmin(ti *core.TokenInfo) Admin {
	if ti == nil {
		return Admin{}
	}
	return Admin{Message: "welcome, admin", Subject: ti.Subject}
}
