module github.com/oidcrs/oidcrs/examples

go 1.26

replace github.com/oidcrs/oidcrs => ..
