package main

import (
	"context"
	"strings"

	grpcrs "github.com/oidcrs/oidcrs/adapters/grpc"
	"github.com/oidcrs/oidcrs/examples/grpc/identitypb"
	"github.com/oidcrs/oidcrs/examples/internal/app"
)

// identity serves identitypb.Identity. The interceptors have checked the
// token before WhoAmI runs.
type identity struct {
	identitypb.UnimplementedIdentityServer
}

// WhoAmI answers what GET /api/me answers on the HTTP examples.
func (identity) WhoAmI(ctx context.Context, _ *identitypb.WhoAmIRequest) (*identitypb.WhoAmIResponse, error) {
	ti, _ := grpcrs.TokenInfo(ctx)
	me := app.NewMe(ti, grpcrs.OriginAudience(ctx))
	return &identitypb.WhoAmIResponse{Sub: me.Subject, Audience: me.Audience, ClientId: me.ClientID, Scopes: me.Scopes}, nil
}

// publicPrefixes are the services the interceptors let through without a
// token:
//   - the standard health service, for load balancers and orchestrators,
//     which hold no token;
//   - server reflection (v1 and the v1alpha that older tools still ask
//     for), so that grpcurl and other tools can list and describe the
//     services before any call. It tells only what identity.proto, a
//     public file, already tells; it never reaches a method, and each
//     method call is checked on its own. A server whose schema is private
//     would leave it out of this list, so that reflection needs a token
//     too, or not register it.
var publicPrefixes = []string{
	"/grpc.health.v1.Health/",
	"/grpc.reflection.v1.ServerReflection/",
	"/grpc.reflection.v1alpha.ServerReflection/",
}

// public is the interceptors' skipper: true for a method of a public
// service.
func public(_ context.Context, method string) bool {
	for _, p := range publicPrefixes {
		if strings.HasPrefix(method, p) {
			return true
		}
	}
	return false
}
