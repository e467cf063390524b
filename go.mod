module github.com/oidcrs/oidcrs

go 1.26

require github.com/go-jose/go-jose/v4 v4.1.9

require (
	github.com/stretchr/testify v1.12.1
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
