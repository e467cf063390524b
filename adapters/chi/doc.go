// Package chirs adapts oidcrs's core.ResourceServer to chi.
package chirs
