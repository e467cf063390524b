package httpclient

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"
)

// Response is what GetJSON read. Status is 0 when there was no answer;
// Header is the answer's, whatever its status.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// ErrNotJSON is the error of a 200 answer whose media type is none of
// application/json, a +json type (application/jwk-set+json), or
// text/plain, which servers that declare no type send for JSON (net/http
// sniffs it so). An HTML page from a proxy or a login portal is refused
// before its body is read.
var ErrNotJSON = errors.New("the answer is not JSON")

// GetJSON fetches u with client, each call bounded by timeout as well as
// by the client's own, and returns its 200 body, read within MaxBody,
// whose Content-Type must allow JSON (see ErrNotJSON). accept is the Accept header. Its errors
// hold no URL: a transport failure is TransportError's, another status is
// "answered HTTP n" with the Response's Status set.
func GetJSON(ctx context.Context, client *http.Client, timeout time.Duration, u, accept string) (Response, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Response{}, errors.New("not a valid URL")
	}
	req.Header.Set("Accept", accept)
	resp, err := client.Do(req)
	if err != nil {
		return Response{}, TransportError(err)
	}
	defer resp.Body.Close()
	r := Response{Status: resp.StatusCode, Header: resp.Header}
	if resp.StatusCode != http.StatusOK {
		return r, fmt.Errorf("answered HTTP %d", resp.StatusCode)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); !isJSON(mt) {
		return r, ErrNotJSON
	}
	r.Body, err = ReadLimited(resp.Body)
	return r, err
}

func isJSON(mediaType string) bool {
	return mediaType == "application/json" || mediaType == "text/plain" || strings.HasSuffix(mediaType, "+json")
}
