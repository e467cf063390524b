package adaptertest

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// connectError is the Connect protocol's error object.
type connectError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// connectCall makes one Connect protocol call of the procedure standing
// for path, unary or server-streaming, with cred's Authorization and DPoP
// headers, and reads the answer off the wire.
func connectCall(t *testing.T, srv *httptest.Server, stream bool, path string, cred Credentials) connectAnswer {
	t.Helper()
	body, proc, ct := []byte(`{"text":"hi"}`), ConnectUnaryProcedure(path), "application/json"
	if stream {
		proc, ct = ConnectStreamProcedure(path), "application/connect+json"
		body = envelope(0, body)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+proc, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("building the request: %v", err)
	}
	req.Header.Set("Content-Type", ct)
	cred.set(req.Header, http.MethodPost, proc)
	client := &http.Client{Transport: srv.Client().Transport, Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", proc, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	a := connectAnswer{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type")}
	if !stream {
		a.Challenge = strings.Join(resp.Header.Values("WWW-Authenticate"), "\n")
		a.RetryAfter = strings.Join(resp.Header.Values("Retry-After"), "\n")
		if resp.StatusCode == http.StatusOK {
			a.Reply = text(t, raw)
		} else {
			var e connectError
			strict(t, raw, &e)
			a.Code, a.Message = e.Code, e.Message
		}
		return a
	}
	for len(raw) > 0 {
		if len(raw) < 5 || int(binary.BigEndian.Uint32(raw[1:5])) > len(raw)-5 {
			t.Fatalf("a truncated envelope: %q", raw)
		}
		flags, msg := raw[0], raw[5:5+binary.BigEndian.Uint32(raw[1:5])]
		raw = raw[5+len(msg):]
		if flags&2 == 0 {
			a.Reply += text(t, msg)
			continue
		}
		var end struct {
			Error    *connectError       `json:"error"`
			Metadata map[string][]string `json:"metadata"`
		}
		strict(t, msg, &end)
		if end.Error != nil {
			a.Code, a.Message = end.Error.Code, end.Error.Message
		}
		h := http.Header{}
		for k, vs := range end.Metadata {
			for _, v := range vs {
				h.Add(k, v)
			}
		}
		a.Challenge = strings.Join(h.Values("WWW-Authenticate"), "\n")
		a.RetryAfter = strings.Join(h.Values("Retry-After"), "\n")
	}
	return a
}

// envelope frames a message of the Connect streaming protocol.
func envelope(flags byte, msg []byte) []byte {
	out := make([]byte, 5, 5+len(msg))
	out[0] = flags
	binary.BigEndian.PutUint32(out[1:], uint32(len(msg)))
	return append(out, msg...)
}

// text is the text of a reply message.
func text(t *testing.T, msg []byte) string {
	var m struct {
		Text string `json:"text"`
	}
	strict(t, msg, &m)
	return m.Text
}

// strict decodes JSON into v, refusing fields v does not know.
func strict(t *testing.T, data []byte, v any) {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		t.Errorf("%s: %v", fmt.Sprintf("%q", data), err)
	}
}
