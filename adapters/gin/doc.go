// Package ginrs adapts oidcrs's core.ResourceServer to gin.
package ginrs
