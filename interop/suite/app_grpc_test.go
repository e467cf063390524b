package suite_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/oidcrs/oidcrs/adapters/grpc"
	"github.com/oidcrs/oidcrs/core"
)

// The gRPC app builders serve /me and /admin as the gRPC methods Me and
// Admin (scope "admin", a per-method rule) behind grpcrs's interceptors,
// on a gRPC server of their own on a real loopback listener. A bridge,
// the http.Handler the suite calls, turns each request into one call,
// unary (grpcApp) or server-streaming (grpcStreamApp), with every
// Authorization header value as "authorization" metadata, and answers
// what the call got as HTTP: the code back to the status grpcrs maps to
// it, the www-authenticate and retry-after trailers as headers, the
// status message as the error_description. /jwks is served over HTTP,
// beside gRPC, as a gRPC service must serve it. The server and connection
// live as long as the test binary: an app builder has no test to end
// them with.

func grpcApp(rs *core.ResourceServer) http.Handler       { return newGRPCBridge(rs, false) }
func grpcStreamApp(rs *core.ResourceServer) http.Handler { return newGRPCBridge(rs, true) }

const (
	unaryIdentity  = "oidcrs.interop.Identity"
	streamIdentity = "oidcrs.interop.IdentityStream"
)

// interopJSON lets the gRPC apps use the suite's identity as a message,
// with hand-written service descriptions: no generated code.
type interopJSON struct{}

func (interopJSON) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (interopJSON) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
func (interopJSON) Name() string                       { return "json" }

// whoamiGRPC is every method's answer: what the handler saw.
func whoamiGRPC(ctx context.Context) *identity {
	ti, _ := grpcrs.TokenInfo(ctx)
	id := newIdentity(ti, grpcrs.OriginAudience(ctx))
	return &id
}

func identityServices() []*grpc.ServiceDesc {
	u := &grpc.ServiceDesc{ServiceName: unaryIdentity, HandlerType: (*any)(nil)}
	s := &grpc.ServiceDesc{ServiceName: streamIdentity, HandlerType: (*any)(nil)}
	for _, name := range []string{"Me", "Admin"} {
		full := "/" + unaryIdentity + "/" + name
		u.Methods = append(u.Methods, grpc.MethodDesc{MethodName: name,
			Handler: func(srv any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
				var in struct{}
				if err := dec(&in); err != nil {
					return nil, err
				}
				return ic(ctx, &in, &grpc.UnaryServerInfo{Server: srv, FullMethod: full},
					func(ctx context.Context, _ any) (any, error) { return whoamiGRPC(ctx), nil })
			}})
		s.Streams = append(s.Streams, grpc.StreamDesc{StreamName: name, ServerStreams: true,
			Handler: func(_ any, ss grpc.ServerStream) error {
				var in struct{}
				if err := ss.RecvMsg(&in); err != nil {
					return err
				}
				return ss.SendMsg(whoamiGRPC(ss.Context()))
			}})
	}
	return []*grpc.ServiceDesc{u, s}
}

type grpcBridge struct {
	jwks   http.Handler
	conn   *grpc.ClientConn
	stream bool
}

func newGRPCBridge(rs *core.ResourceServer, stream bool) http.Handler {
	admin := core.AnyScope("admin")
	opts := []grpcrs.Option{
		grpcrs.WithScopes("/"+unaryIdentity+"/Admin", admin),
		grpcrs.WithScopes("/"+streamIdentity+"/Admin", admin),
	}
	srv := grpc.NewServer(grpc.ForceServerCodec(interopJSON{}),
		grpc.ChainUnaryInterceptor(grpcrs.UnaryServerInterceptor(rs, opts...)),
		grpc.ChainStreamInterceptor(grpcrs.StreamServerInterceptor(rs, opts...)))
	for _, sd := range identityServices() {
		srv.RegisterService(sd, nil)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go func() { _ = srv.Serve(ln) }()
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(interopJSON{})))
	if err != nil {
		panic(err)
	}
	return &grpcBridge{jwks: rs.JWKSHandler(), conn: conn, stream: stream}
}

func (b *grpcBridge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method := map[string]string{"/me": "Me", "/admin": "Admin"}[r.URL.Path]
	if r.URL.Path == "/jwks" {
		b.jwks.ServeHTTP(w, r)
		return
	}
	if method == "" || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	ctx := r.Context()
	for _, v := range r.Header.Values("Authorization") {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", v)
	}
	var id identity
	var trailer metadata.MD
	var err error
	if b.stream {
		err = b.callStream(ctx, "/"+streamIdentity+"/"+method, &id, &trailer)
	} else {
		err = b.conn.Invoke(ctx, "/"+unaryIdentity+"/"+method, &struct{}{}, &id, grpc.Trailer(&trailer))
	}
	if err != nil {
		writeGRPCStatus(w, status.Convert(err), trailer)
		return
	}
	writeIdentity(w, id)
}

// callStream opens a server stream, sends one request and reads exactly
// one answer.
func (b *grpcBridge) callStream(ctx context.Context, method string, id *identity, trailer *metadata.MD) error {
	cs, err := b.conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, method)
	if err != nil {
		return err
	}
	if err := cs.SendMsg(&struct{}{}); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if err := cs.CloseSend(); err != nil {
		return err
	}
	err = cs.RecvMsg(id)
	if err == nil {
		var extra identity
		if err = cs.RecvMsg(&extra); errors.Is(err, io.EOF) {
			err = nil
		} else if err == nil {
			err = status.Error(codes.Unknown, "the stream answered twice")
		}
	}
	*trailer = cs.Trailer()
	return err
}

// The inverse of grpcrs's table: one HTTP status per code.
var (
	httpStatusOf = map[codes.Code]int{
		codes.InvalidArgument:  http.StatusBadRequest,
		codes.Unauthenticated:  http.StatusUnauthorized,
		codes.PermissionDenied: http.StatusForbidden,
		codes.Internal:         http.StatusBadGateway,
		codes.Unavailable:      http.StatusServiceUnavailable,
	}
	errorCodeOf = map[int]string{
		http.StatusBadRequest:         "invalid_request",
		http.StatusUnauthorized:       "unauthorized",
		http.StatusForbidden:          "insufficient_scope",
		http.StatusBadGateway:         "server_error",
		http.StatusServiceUnavailable: "temporarily_unavailable",
	}
	challengeError = regexp.MustCompile(`error="([^"]+)"`)
)

// writeGRPCStatus answers a failed call as HTTP; an unexpected code is a
// 500 that names it.
func writeGRPCStatus(w http.ResponseWriter, st *status.Status, trailer metadata.MD) {
	code, ok := httpStatusOf[st.Code()]
	if !ok {
		http.Error(w, "unexpected gRPC status "+st.Code().String()+": "+st.Message(), http.StatusInternalServerError)
		return
	}
	body := core.ErrorBody{Error: errorCodeOf[code], Description: st.Message()}
	for _, ch := range trailer.Get("www-authenticate") {
		w.Header().Add("WWW-Authenticate", ch)
		if m := challengeError.FindStringSubmatch(ch); m != nil {
			body.Error = m[1]
		}
	}
	for _, ra := range trailer.Get("retry-after") {
		w.Header().Add("Retry-After", ra)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}
