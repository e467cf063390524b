// Package identitypb is the gRPC example's service,
// oidcrs.examples.Identity, generated from identity.proto by
// scripts/genproto.sh (never edit the .pb.go files by hand). The server
// (examples/grpc), its client (examples/grpc/whoami) and the tests share
// it; grpcurl reads the same schema from the server's reflection service.
package identitypb
