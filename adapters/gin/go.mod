module github.com/oidcrs/oidcrs/adapters/gin

go 1.26

replace github.com/oidcrs/oidcrs => ../..
