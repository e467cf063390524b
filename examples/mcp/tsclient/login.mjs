// Test-only MCP client for the oidcrs MCP example: the official MCP
// TypeScript SDK logs in to the example's development-only login server
// and calls the tool whoami. Usage: node login.mjs http://127.0.0.1:PORT/mcp
//
// 1. Login: with no token and no registration, the SDK follows the 401
//    through discovery (RFC 9728, RFC 8414), registration (RFC 7591),
//    authorization (PKCE S256, resource) and the token request; then
//    whoami.
// 2. Step-up: a second session of the same client starts least-privilege
//    (scope "groups" only), is refused with 403 insufficient_scope, and
//    the SDK re-authorizes with the challenged scope set; then whoami.
//
// There is no browser: the authorization request is fetched here, without
// following its redirect, and the code read from the 302's Location (the
// development login server approves loopback clients by itself). The
// redirect URI is never dialed. Every HTTP exchange is printed, with codes,
// verifiers and tokens redacted; the results are printed as
// "RESULT <name> <json>" lines, and any failure exits 1.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { auth, UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { randomBytes } from 'node:crypto';

const endpoint = new URL(process.argv[2]);
const redirectUrl = 'http://127.0.0.1:9/callback';
const maxLogins = 3; // per session: a step-up that does not converge fails

const log = (...a) => console.log(...a);
const redact = (s) => String(s).replace(/([?&](code|code_verifier)=)[^&\s]+/g, '$1(redacted)');

// loggingFetch prints each exchange the SDK makes: method and URL, the
// status, WWW-Authenticate, and the bodies of metadata and registration
// answers; a token answer is printed without its access_token.
async function loggingFetch(input, init) {
  const method = init?.method ?? 'GET';
  log(`-> ${method} ${redact(input)}`);
  const res = await fetch(input, init);
  const www = res.headers.get('www-authenticate');
  log(`<- ${res.status}${www ? ` WWW-Authenticate: ${www}` : ''}`);
  const url = String(input);
  if (url.includes('/.well-known/') || url.endsWith('/register') || url.endsWith('/token')) {
    const body = await res.clone().text();
    try {
      const doc = JSON.parse(body);
      if (doc.access_token) doc.access_token = '(redacted)';
      log(`   ${JSON.stringify(doc)}`);
    } catch {
      log(`   ${body.slice(0, 200)}`);
    }
  }
  return res;
}

// Provider is an in-memory OAuthClientProvider. The client registration is
// shared between sessions (one client, several logins); tokens are not.
class Provider {
  constructor(shared) {
    this.shared = shared;
    this.pendingCode = undefined;
  }
  get redirectUrl() { return redirectUrl; }
  get clientMetadata() {
    return { client_name: 'oidcrs tsclient', redirect_uris: [redirectUrl], grant_types: ['authorization_code'],
      response_types: ['code'], token_endpoint_auth_method: 'none' };
  }
  state() { return (this._state = randomBytes(16).toString('base64url')); }
  clientInformation() { return this.shared.client; }
  saveClientInformation(c) { this.shared.client = c; }
  tokens() { return this._tokens; }
  saveTokens(t) {
    this._tokens = t;
    log(`   tokens saved: scope="${t.scope}" expires_in=${t.expires_in}`);
  }
  saveCodeVerifier(v) { this._verifier = v; }
  codeVerifier() { return this._verifier; }
  // redirectToAuthorization plays the user agent: it fetches the
  // authorization request and keeps the code of the 302.
  async redirectToAuthorization(url) {
    const q = url.searchParams;
    log(`-> GET ${url.origin}${url.pathname} (authorization request: scope="${q.get('scope') ?? ''}"` +
      ` resource=${q.get('resource')} code_challenge_method=${q.get('code_challenge_method')})`);
    const res = await fetch(url, { redirect: 'manual' });
    const body = (await res.text()).trim();
    const loc = res.headers.get('location');
    log(`<- ${res.status} Location: ${redact(loc)}`);
    if (body) log(`   ${body}`);
    if (res.status !== 302 || !loc) throw new Error(`authorization: status ${res.status}`);
    const back = new URL(loc);
    if (back.searchParams.get('state') !== this._state) throw new Error('authorization: state mismatch');
    if (back.searchParams.get('error')) throw new Error(`authorization: ${back.searchParams.get('error')}`);
    this.pendingCode = back.searchParams.get('code');
  }
}

// connect connects a new session, logging in (or stepping up) when the
// transport asks for it, at most maxLogins times.
async function connect(provider) {
  for (let i = 0; ; i++) {
    const transport = new StreamableHTTPClientTransport(endpoint, { authProvider: provider, fetch: loggingFetch });
    const client = new Client({ name: 'oidcrs-tsclient', version: '1.0.0' });
    try {
      await client.connect(transport);
      log(`   connected: protocol ${transport.protocolVersion ?? '(default)'}`);
      return client;
    } catch (e) {
      if (!(e instanceof UnauthorizedError) || !provider.pendingCode || i + 1 >= maxLogins) throw e;
      const code = provider.pendingCode;
      provider.pendingCode = undefined;
      log('   redirected back with a code: finishAuth');
      await transport.finishAuth(code);
    }
  }
}

async function whoami(client, name) {
  const res = await client.callTool({ name: 'whoami', arguments: {} });
  if (res.isError) throw new Error(`whoami: tool error ${JSON.stringify(res.content)}`);
  log(`RESULT ${name} ${JSON.stringify(res.structuredContent)}`);
  await client.close();
}

const shared = {};
log('== 1. login: no token, no registration');
await whoami(await connect(new Provider(shared)), 'login');

log('== 2. step-up: a session that starts with scope "groups" only');
const narrow = new Provider(shared);
if ((await auth(narrow, { serverUrl: endpoint, scope: 'groups', fetchFn: loggingFetch })) !== 'REDIRECT') {
  throw new Error('expected an authorization request');
}
await auth(narrow, { serverUrl: endpoint, scope: 'groups', authorizationCode: narrow.pendingCode, fetchFn: loggingFetch });
narrow.pendingCode = undefined;
await whoami(await connect(narrow), 'stepup');
