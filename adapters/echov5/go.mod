module github.com/oidcrs/oidcrs/adapters/echov5

go 1.26

replace github.com/oidcrs/oidcrs => ../..

require (
	github.com/labstack/echo/v5 v5.4.4
	github.com/oidcrs/oidcrs v0.1.0
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/go-jose/go-jose/v4 v4.1.9 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
