module github.com/oidcrs/oidcrs/adapters/echo

go 1.26

replace github.com/oidcrs/oidcrs => ../..
