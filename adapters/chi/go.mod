module github.com/oidcrs/oidcrs/adapters/chi

go 1.26

replace github.com/oidcrs/oidcrs => ../..
