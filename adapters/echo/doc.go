// Package echors adapts oidcrs's core.ResourceServer to echo.
package echors
