package adaptertest

import "net/http"

// conformanceOrigin is the browser origin of the preflight cases, which
// the withResource variant lists in Settings.CORSOrigins and the others
// do not.
const conformanceOrigin = "https://app.example"

// preflightAnswer is the verdict on a CORS preflight: 204, unchallenged,
// whatever the route's authentication and whatever token it carries.
var preflightAnswer = Verdict{Status: http.StatusNoContent}

// grantedCORS is what a preflight from a listed origin is granted, in
// corsHeaders' lines: the methods, and the headers of a bearer-token
// client, MCP's among them.
const grantedCORS = "Access-Control-Allow-Origin: " + conformanceOrigin + "\n" +
	"Access-Control-Allow-Methods: GET, HEAD, POST, PUT, PATCH, DELETE\n" +
	"Access-Control-Allow-Headers: Authorization, Content-Type, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID\n" +
	"Access-Control-Max-Age: 7200\n"

// preflight makes req a CORS preflight from origin for a POST carrying
// the headers an MCP client sends.
func preflight(req *http.Request, origin string) {
	req.Method = http.MethodOptions
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", http.MethodPost)
	req.Header.Set("Access-Control-Request-Headers", "authorization, content-type, mcp-protocol-version, mcp-session-id")
}

// corsCases are the preflights of the withResource variant, whose
// settings list conformanceOrigin: that origin is granted, another is
// answered without a grant, and neither is challenged.
func corsCases() []conformanceCase {
	return []conformanceCase{
		{name: "preflight from a listed origin", path: ConformanceProtected, origin: conformanceOrigin,
			want: preflightAnswer, cors: grantedCORS},
		{name: "preflight of a scoped route from a listed origin", path: ConformanceAnyScope, origin: conformanceOrigin,
			want: preflightAnswer, cors: grantedCORS},
		{name: "preflight from another origin", path: ConformanceProtected, origin: "https://evil.example",
			want: preflightAnswer},
	}
}
