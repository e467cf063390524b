module github.com/oidcrs/oidcrs/adapters/connect

go 1.26.0

replace github.com/oidcrs/oidcrs => ../..

require (
	connectrpc.com/connect v1.21.1
	github.com/oidcrs/oidcrs v0.1.0
)

require (
	github.com/go-jose/go-jose/v4 v4.1.9 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
)
