// Package examples holds runnable oidcrs example servers.
package examples
