package core

// DPoPMode says how a ResourceServer takes DPoP-bound tokens (RFC 9449):
// the value of OIDC_RS_DPOP.
type DPoPMode string

const (
	// DPoPOff refuses the DPoP scheme; a DPoP-bound token is refused as
	// Bearer too, since its binding cannot be checked.
	DPoPOff DPoPMode = "off"
	// DPoPAllowed takes Bearer tokens as before and DPoP-bound tokens with
	// a proof on every request; a bound token sent as Bearer is refused.
	// Without ExternalURL (or Resource) no proof can match, so the DPoP
	// scheme is not offered: the server behaves as with DPoPOff.
	DPoPAllowed DPoPMode = "allowed"
	// DPoPRequired takes DPoP-bound tokens with their proof only: every
	// Bearer token is refused. It needs ExternalURL or Resource.
	DPoPRequired DPoPMode = "required"
)

func (m DPoPMode) valid() bool {
	return m == DPoPOff || m == DPoPAllowed || m == DPoPRequired
}
