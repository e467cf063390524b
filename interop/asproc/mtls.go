package asproc

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/url"
	"strings"
)

// ClientCertHeader is the header in which the AS reads a client's
// certificate, URL-encoded PEM, as from a TLS-terminating proxy: the AS
// itself has no TLS.
const ClientCertHeader = "X-Client-Cert"

// CertBoundClient is the metadata of a confidential client whose access
// tokens are bound to its certificate (RFC 8705 section 3,
// tls_client_certificate_bound_access_tokens), authenticating with
// client_secret_post, allowed the client_credentials grant for scope.
func CertBoundClient(clientID, secret, scope string) map[string]any {
	return map[string]any{
		"client_id":                  clientID,
		"client_secret":              secret,
		"grant_types":                []string{"client_credentials"},
		"response_types":             []string{},
		"redirect_uris":              []string{},
		"token_endpoint_auth_method": "client_secret_post",
		"scope":                      scope,
		"tls_client_certificate_bound_access_tokens": true,
	}
}

// ClientCredentialsWithCert is ClientCredentialsFor presenting the client
// certificate certDER (its DER): a CertBoundClient gets a token bound to it
// (cnf.x5t#S256 in the introspection answer and the JWT access token).
func (a *AS) ClientCredentialsWithCert(ctx context.Context, clientID, secret, scope, resource string, certDER []byte) (string, error) {
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {clientID},
		"client_secret": {secret},
	}
	if scope != "" {
		form.Set("scope", scope)
	}
	if resource != "" {
		form.Set("resource", resource)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.TokenURL(), strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(ClientCertHeader, EscapedPEM(certDER))
	var out TokenResponse
	if err := a.do(req, &out); err != nil {
		return "", err
	}
	return out.AccessToken, nil
}

// EscapedPEM is certDER as URL-encoded PEM, the form of nginx's
// $ssl_client_escaped_cert.
func EscapedPEM(certDER []byte) string {
	return url.PathEscape(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certDER})))
}
