module github.com/oidcrs/oidcrs/adapters/connect

go 1.26.0

replace github.com/oidcrs/oidcrs => ../..

require (
	connectrpc.com/connect v1.21.1
	github.com/oidcrs/oidcrs v0.1.0
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/go-jose/go-jose/v4 v4.1.9 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
)
