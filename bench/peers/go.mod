module github.com/oidcrs/oidcrs/bench/peers

go 1.26.0

replace github.com/oidcrs/oidcrs => ../..

require (
	github.com/go-jose/go-jose/v4 v4.1.9
	github.com/oidcrs/oidcrs v0.0.0-00010101000000-000000000000
)

require (
	github.com/auth0/go-jwt-middleware/v2 v2.3.1
	golang.org/x/crypto v0.45.0 // indirect
	golang.org/x/sync v0.18.0 // indirect
	gopkg.in/go-jose/go-jose.v2 v2.6.3 // indirect
)
