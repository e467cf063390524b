package realas

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
)

// CodeFlow describes one headless authorization-code flow.
type CodeFlow struct {
	ClientID, Secret, RedirectURI string
	Scope                         string // e.g. "openid offline_access groups"
	Subject                       string // the user who logs in
	Audience                      []string
}

// approver answers a redirect that needs a user (a login or consent
// page): it returns where the browser goes next, or ok=false when loc is
// not such a page.
type approver func(ctx context.Context, loc *url.URL, f CodeFlow) (next string, ok bool, err error)

// runCodeFlow plays the browser: it follows the redirects from the
// authorization endpoint, lets approve stand in for the login and consent
// pages, stops at the client's redirect URI and exchanges the code.
func runCodeFlow(ctx context.Context, e Endpoints, f CodeFlow, approve approver) (Tokens, error) {
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{
		Jar:           jar,
		Timeout:       httpClient.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	state, nonce := random(), random()
	q := url.Values{
		"response_type": {"code"}, "client_id": {f.ClientID}, "redirect_uri": {f.RedirectURI},
		"scope": {f.Scope}, "state": {state}, "nonce": {nonce}, "login_hint": {f.Subject},
	}
	if len(f.Audience) > 0 {
		q.Set("audience", strings.Join(f.Audience, " "))
	}
	next := e.Authorization + "?" + q.Encode()
	for range 12 {
		if strings.HasPrefix(next, f.RedirectURI) {
			return exchangeCode(ctx, e, f, next, state)
		}
		u, err := url.Parse(next)
		if err != nil {
			return Tokens{}, err
		}
		if to, ok, err := approve(ctx, u, f); err != nil {
			return Tokens{}, err
		} else if ok {
			next = to
			continue
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, next, nil)
		if err != nil {
			return Tokens{}, err
		}
		resp, err := browser.Do(req)
		if err != nil {
			return Tokens{}, err
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode/100 != 3 || loc == "" {
			return Tokens{}, fmt.Errorf("code flow: %s answered %d without a redirect", u.Path, resp.StatusCode)
		}
		l, err := u.Parse(loc)
		if err != nil {
			return Tokens{}, err
		}
		next = l.String()
	}
	return Tokens{}, errors.New("code flow: too many redirects")
}

func exchangeCode(ctx context.Context, e Endpoints, f CodeFlow, back, state string) (Tokens, error) {
	u, err := url.Parse(back)
	if err != nil {
		return Tokens{}, err
	}
	q := u.Query()
	if q.Get("error") != "" {
		return Tokens{}, fmt.Errorf("code flow: authorization error %s", q.Get("error"))
	}
	if q.Get("state") != state || q.Get("code") == "" {
		return Tokens{}, errors.New("code flow: no code, or the state changed")
	}
	var t Tokens
	err = postForm(ctx, e.Token, f.ClientID, f.Secret, url.Values{
		"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {f.RedirectURI},
	}, &t)
	return t, err
}

func random() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
