package httpclient

import (
	"errors"
	"fmt"
	"io"
	"net/url"
)

// MaxBody bounds every body read from the authorization server.
const MaxBody = 1 << 20

// ReadLimited reads at most MaxBody bytes, failing on more.
func ReadLimited(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxBody+1))
	if err != nil {
		return nil, errors.New("reading the response failed")
	}
	if len(b) > MaxBody {
		return nil, fmt.Errorf("response body over %d bytes", MaxBody)
	}
	return b, nil
}

// ErrTimedOut is the cause of a call that timed out: errors.Is finds it in
// TransportError's result.
var ErrTimedOut = errors.New("timed out")

// TransportError keeps the class of a transport failure without the URL,
// which net/http puts in its messages.
func TransportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return fmt.Errorf("request %w", ErrTimedOut)
		}
		return fmt.Errorf("request failed: %w", ue.Err)
	}
	return errors.New("request failed")
}
