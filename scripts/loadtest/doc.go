// Command loadtest measures a route protected by oidcrs end to end, next to
// the same route unprotected, over real HTTP/1.1 on loopback.
//
// It starts, in this one process, a fake authorization server
// (core/oidcrstest, JSON introspection) and one HTTP server on 127.0.0.1
// with two routes answering the same small JSON body: /open, unprotected,
// and /api, the same handler behind oidcrs's middleware for the framework
// -f names (net/http's rs.Middleware by default; gin, echo, echov5, chi
// through their adapters; all runs each in turn). It mints one token,
// which the first request caches, then sends keep-alive requests carrying
// that token to each route from -c connections (one worker per
// connection) and prints requests/s, p50 and p99 latency per route, and
// the protected route's throughput as a share of the unprotected one's
// (target: at least 90 %). Each route gets -d of load in total, split in
// -rounds rounds that alternate the two routes (and which goes first), so
// that noise on a shared machine hits both. Every loop is bounded by its
// round's deadline: the program stops by itself.
//
//	go run ./scripts/loadtest                        # 64 connections, 10 s per route in 2 rounds
//	go run ./scripts/loadtest -d 30s -rounds 6       # steadier
//	go run ./scripts/loadtest -c 16 -d 2s            # a quick look
//	go run ./scripts/loadtest -f all                 # every framework, one after the other
//	go run ./scripts/loadtest -flood                 # junk tokens against cached valid ones
//	go run ./scripts/loadtest -flood -senders 1000   # from a thousand senders
//
// With -flood it measures hostile traffic instead: a resource server with
// a cache of -cache entries caches -valid tokens; valid traffic alone (-vc
// connections sending the valid tokens in turn) runs for -d; then -junk
// unique made-up tokens come from -c senders while the valid traffic goes
// on, the fake authorization server taking -as-delay to answer each call.
// It prints the authorization server's calls per junk request, the most
// calls in flight at once, the valid tokens evicted by the flood (those
// the authorization server was asked about again, during the flood or by
// one more request with each valid token afterwards), and the valid
// traffic's p50 and p99 without and during the flood. -senders sets the
// junk senders (it overrides -c), -max-calls OIDC_RS_MAX_CONCURRENT_CALLS;
// during the flood one more connection sends valid tokens never seen
// before, one at a time, and counts those answered and those refused.
//
// The load generator shares the machine with the server: on a few CPUs
// the requests/s are those of the pair, and the ratio is the figure to
// read. It is a module of its own, so that the root module (core) does not
// depend on the frameworks.
package main
