// Test-only OAuth 2.0 authorization server for the oidcrs interop tests.
// NEVER use this in production: it has test-only routes that mint tokens
// for any account and it disables oidc-provider's SSRF guard for loopback.
//
// Usage: node server.js <config.json>
//
// Config (JSON object, every field optional):
//   port               number   TCP port on 127.0.0.1 (default 0 = pick one).
//   clients            object[] oidc-provider client metadata, passed through
//                               unchanged (client_id, client_secret,
//                               grant_types, response_types, redirect_uris,
//                               token_endpoint_auth_method, scope, jwks_uri,
//                               introspection_signed_response_alg,
//                               introspection_encrypted_response_alg,
//                               introspection_encrypted_response_enc, ...).
//   scopes             string[] extra scopes the AS supports, added to
//                               "openid" and "offline_access".
//   signingKeys        string[] JWS algs to generate one signing key each for
//                               at startup (default ["RS256","PS256","ES256"];
//                               allowed: RS256/384/512, PS256/384/512,
//                               ES256/384/512, Ed25519). Each key has
//                               kid=alg+kidSuffix.
//   kidSuffix          string   appended to each signing key's kid
//                               (default "", kid=alg): a restarted server
//                               with new keys and a new suffix publishes new
//                               kids, as a real key rotation does.
//   accessTokenTTL     number   default access token lifetime in seconds for
//                               client_credentials and /test/token (3600).
//   resourceServers    object   resource indicator (absolute URI) -> {scope,
//                               alg, ttl?}: turns on RFC 8707 resource
//                               indicators; a token requested with
//                               resource=<URI> is an RFC 9068 JWT (typ
//                               at+jwt) signed with alg (one of signingKeys),
//                               aud=<URI>, scope = the requested scopes that
//                               this scope lists, lifetime ttl s (default
//                               accessTokenTTL). Other resources are refused
//                               (invalid_target). Without this field resource
//                               indicators stay off and every token is opaque.
//   maxLifetimeSeconds number   the process exits by itself after this (600).
//   exitOnStdinEOF     boolean  exit when stdin reaches EOF, i.e. when the
//                               parent died (default true).
//
// Once listening it prints exactly one line on stdout:
//   READY http://127.0.0.1:<port>
// which is also the issuer (no trailing slash). Diagnostics go to stderr and
// never contain token values or secrets.
//
// DPoP (RFC 9449) is on: a client_credentials request with a DPoP proof
// header gets a DPoP-bound token (opaque, or an at+jwt for a resource),
// whose introspection answer and JWT carry cnf.jkt.
//
// Test-only routes (JSON in, JSON out):
//   POST /test/token {"accountId","clientId","scope","ttl"?,"aud"?,"extra"?,"kind"?}
//     saves an opaque AccessToken for accountId issued to clientId, bound to
//     a fresh Grant, as the authorization code flow would, and answers
//     {"access_token","token_type":"Bearer","expires_in","scope"}. With
//     kind "refresh" it saves a RefreshToken instead, as the code flow with
//     offline_access would, and answers its value as access_token.
//   POST /test/refresh-jwks {"client_id"}
//     forgets the cached jwks_uri keys of that client and re-fetches them
//     now; answers {"kids":[...]} with the key ids now known.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';

import Provider, { errors } from 'oidc-provider';

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const accessTokenTTL = cfg.accessTokenTTL ?? 3600;
const maxLifetime = cfg.maxLifetimeSeconds ?? 600;

function log(...args) {
  process.stderr.write(`[as] ${args.join(' ')}\n`);
}

// Never outlive the test run: hard deadline plus parent-death via stdin EOF.
setTimeout(() => {
  log(`maxLifetimeSeconds=${maxLifetime} reached, exiting`);
  process.exit(0);
}, maxLifetime * 1000).unref();
if (cfg.exitOnStdinEOF ?? true) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}
process.on('SIGTERM', () => process.exit(0));

const KEY_PARAMS = {
  RS: () => ['rsa', { modulusLength: 2048 }],
  PS: () => ['rsa', { modulusLength: 2048 }],
  ES256: () => ['ec', { namedCurve: 'P-256' }],
  ES384: () => ['ec', { namedCurve: 'P-384' }],
  ES512: () => ['ec', { namedCurve: 'P-521' }],
  Ed25519: () => ['ed25519', {}],
};

// generateSigningKey returns a private JWK for alg with kid and alg set.
function generateSigningKey(alg) {
  const params = KEY_PARAMS[alg] ?? KEY_PARAMS[alg.slice(0, 2)];
  if (!params) throw new Error(`unsupported signing alg ${alg}`);
  const { privateKey } = crypto.generateKeyPairSync(...params());
  return { ...privateKey.export({ format: 'jwk' }), kid: `${alg}${cfg.kidSuffix ?? ''}`, alg, use: 'sig' };
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost)$/;

// loopbackFetch lifts oidc-provider's SSRF guard (a dispatcher that destroys
// sockets to special-use IPs) for loopback URLs only, so jwks_uri served by
// an httptest server on 127.0.0.1 can be fetched. Other URLs keep the guard.
// Loopback fetches also wait 60 s instead of oidc-provider's 2.5 s: the test
// resource servers run under the race detector on machines that may be
// busy, and a slow /jwks would fail the introspection.
function loopbackFetch(url, options) {
  if (LOOPBACK.test(new URL(url).hostname)) {
    const { dispatcher, signal, ...rest } = options; // eslint-disable-line no-unused-vars
    return globalThis.fetch(url, { ...rest, signal: AbortSignal.timeout(60_000) });
  }
  return globalThis.fetch(url, options);
}

// Same default as oidc-provider, made explicit to silence its warnings:
// public clients may only introspect/revoke their own tokens.
function ownTokenOrConfidential(ctx, client, token) {
  return client.clientAuthMethod !== 'none' || token.clientId === client.clientId;
}

function revocationPolicy(ctx, client, token) {
  if (token.clientId !== client.clientId) {
    if (client.clientAuthMethod === 'none') return false;
    throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
  }
  return true;
}

// resourceIndicators turns on JWT access tokens for cfg.resourceServers
// only; without them no resource is ever resolved and every token stays
// opaque.
function resourceIndicators() {
  const servers = cfg.resourceServers;
  if (!servers) return { enabled: false };
  return {
    enabled: true,
    defaultResource: () => undefined,
    useGrantedResource: () => true,
    getResourceServerInfo(ctx, resourceIndicator) {
      const rs = servers[resourceIndicator];
      if (!rs) throw new errors.InvalidTarget();
      return {
        scope: rs.scope,
        audience: resourceIndicator,
        accessTokenTTL: rs.ttl ?? accessTokenTTL,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: rs.alg } },
      };
    },
  };
}

function providerConfig() {
  const ttl = (ctx, token) => token?.resourceServer?.accessTokenTTL ?? accessTokenTTL;
  return {
    clients: cfg.clients ?? [],
    scopes: ['openid', 'offline_access', ...(cfg.scopes ?? [])],
    jwks: { keys: (cfg.signingKeys ?? ['RS256', 'PS256', 'ES256']).map(generateSigningKey) },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // RFC 8705: a client registered with
      // tls_client_certificate_bound_access_tokens gets tokens bound to its
      // certificate (cnf.x5t#S256); others are unchanged. This server has
      // no TLS: as behind a TLS-terminating proxy, the certificate comes as
      // URL-encoded PEM in the x-client-cert header.
      mTLS: {
        enabled: true,
        certificateBoundAccessTokens: true,
        getCertificate(ctx) {
          const pem = ctx.get('x-client-cert');
          return pem ? decodeURIComponent(pem) : undefined;
        },
      },
      introspection: { enabled: true, allowedPolicy: ownTokenOrConfidential },
      jwtIntrospection: { enabled: true },
      encryption: { enabled: true },
      revocation: { enabled: true, allowedPolicy: revocationPolicy },
      resourceIndicators: resourceIndicators(),
      // RFC 9449: a token request that carries a DPoP proof gets a token
      // bound to the proof's key (cnf.jkt, token_type DPoP); one without a
      // proof gets a Bearer token, as before. Proofs may be signed with
      // ES256, Ed25519 or EdDSA (dPoPSigningAlgValues' default). No
      // server nonces: iat must be within 300 s of the AS's clock, and the
      // AS refuses a proof jti it has seen.
      dPoP: { enabled: true, allowReplay: false },
    },
    // Extra claims given to /test/token end up in introspection responses;
    // a code flow's tokens carry the acr and auth_time of their login.
    extraTokenClaims: (ctx, token) => token.extra ?? loginClaims(ctx),
    acrValues: ['eidas1', 'eidas2', 'eidas3'],
    interactions: { url: (ctx, interaction) => `/test/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: ttl,
      ClientCredentials: ttl,
      Grant: 14 * 24 * 3600,
      IdToken: 3600,
      Interaction: 3600,
      Session: 3600,
    },
    clientBasedCORS: () => false,
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    findAccount: (ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    renderError: (ctx, out) => { ctx.type = 'json'; ctx.body = out; },
    fetch: loopbackFetch,
  };
}

function sendJSON(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readJSON(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

class BadRequest extends Error {}

async function mintToken(provider, body) {
  const { accountId, clientId, scope = '' } = body;
  if (typeof accountId !== 'string' || !accountId) throw new BadRequest('accountId is required');
  const client = await provider.Client.find(clientId);
  if (!client) throw new BadRequest('unknown clientId');
  const ttl = body.ttl ?? accessTokenTTL;
  if (!Number.isInteger(ttl) || ttl <= 0) throw new BadRequest('ttl must be a positive integer');

  // Introspection only checks the Grant when the token names one; tokens
  // from real flows always do, so mint one that outlives the token.
  const grant = new provider.Grant({ accountId, clientId: client.clientId, expiresIn: ttl + 3600 });
  if (scope) grant.addOIDCScope(scope);
  const grantId = await grant.save();

  const Model = body.kind === 'refresh' ? provider.RefreshToken : provider.AccessToken;
  const token = new Model({
    accountId,
    client,
    grantId,
    gty: 'authorization_code',
    scope: scope || undefined,
    expiresIn: ttl,
    extra: body.extra,
  });
  if (body.aud !== undefined && body.kind !== 'refresh') token.setAudience(body.aud);
  const value = await token.save();
  return {
    access_token: value, token_type: 'Bearer', expires_in: ttl, scope: scope || undefined,
  };
}

async function refreshJWKS(provider, body) {
  const client = await provider.Client.find(body.client_id);
  if (!client) throw new BadRequest('unknown client_id');
  if (!client.jwksUri) throw new BadRequest('client has no jwks_uri');
  const store = client.asymmetricKeyStore;
  // ClientKeyStore.refresh() is a no-op while freshUntil is in the future
  // (at least 60 s after the last fetch); expiring it forces a re-fetch.
  store.freshUntil = 0;
  await store.refresh();
  return { kids: [...store].map((k) => k.kid).filter(Boolean) };
}

const testRoutes = {
  '/test/token': mintToken,
  '/test/refresh-jwks': refreshJWKS,
};

async function handleTestRoute(provider, route, req, res) {
  if (req.method !== 'POST') {
    sendJSON(res, 405, { error: 'method_not_allowed' });
    return;
  }
  try {
    sendJSON(res, 200, await route(provider, await readJSON(req)));
  } catch (err) {
    const status = err instanceof BadRequest || err instanceof SyntaxError ? 400 : 500;
    log(`${req.url} failed: ${err.message}`);
    sendJSON(res, status, { error: status === 400 ? 'invalid_request' : 'server_error', error_description: err.message });
  }
}

let handler = (req, res) => sendJSON(res, 503, { error: 'starting' });
const server = http.createServer((req, res) => handler(req, res));
// Node closes an idle keep-alive connection after 5 s; Go's clients keep
// theirs for 90 s. A POST (introspection, revocation) sent on a connection
// that node is closing at that moment fails and is not retried: a 503 at
// random, more often on a busy machine. Closing idle connections is left
// to the clients.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 130_000;

server.listen(cfg.port ?? 0, '127.0.0.1', async () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  let provider;
  try {
    provider = new Provider(issuer, providerConfig());
    // Static clients are validated lazily; fail fast on bad metadata.
    for (const { client_id: id } of cfg.clients ?? []) await provider.Client.find(id);
  } catch (err) {
    log(`provider configuration failed: ${err.message}${err.error_description ? ` (${err.error_description})` : ''}`);
    process.exit(1);
  }
  for (const event of ['server_error', 'grant.error', 'introspection.error', 'revocation.error', 'jwks.error']) {
    provider.on(event, (ctx, err) => log(`${event}: ${err.message}${err.error_description ? ` (${err.error_description})` : ''}${err.cause ? ` cause: ${err.cause.message}` : ''}`));
  }
  const callback = provider.callback();
  handler = (req, res) => {
    const url = new URL(req.url, issuer);
    const route = testRoutes[url.pathname];
    if (route) {
      handleTestRoute(provider, route, req, res);
    } else if (url.pathname.startsWith('/test/interaction/')) {
      handleInteraction(provider, url, req, res);
    } else {
      callback(req, res);
    }
  };
  process.stdout.write(`READY ${issuer}\n`);
});

// Test-only login and consent pages for the authorization code flow
// (devInteractions are off). The authorization endpoint sends the browser
// to /test/interaction/<uid> with a cookie for that path; there:
//   GET /test/interaction/<uid>
//     answers {"uid","prompt"}: the prompt to answer, login or consent.
//   GET /test/interaction/<uid>/login?account=<id>&acr=<acr>[&age=<s>]
//     logs account in with that acr (amr ["pwd"]) as of age seconds ago
//     (default 0: now), then redirects back to the authorization endpoint.
//     oidc-provider keeps acr and the login time in its session, copies them
//     into the authorization code, and loginClaims into the tokens.
//   GET /test/interaction/<uid>/consent
//     grants every OIDC scope, claim and resource scope the client asked
//     for, then redirects back.
async function handleInteraction(provider, url, req, res) {
  try {
    const [, uid, action] = url.pathname.match(/^\/test\/interaction\/([^/]+)(?:\/(login|consent))?$/) ?? [];
    if (!uid || req.method !== 'GET') throw new BadRequest('unknown interaction route');
    const details = await provider.interactionDetails(req, res);
    const { prompt, params, session } = details;
    if (details.uid !== uid) throw new BadRequest('interaction cookie for another uid');
    if (!action) {
      sendJSON(res, 200, { uid, prompt: prompt.name });
      return;
    }
    if (action !== prompt.name) throw new BadRequest(`the prompt is ${prompt.name}, not ${action}`);
    let result;
    if (action === 'login') {
      const account = url.searchParams.get('account');
      const age = Number(url.searchParams.get('age') ?? 0);
      if (!account) throw new BadRequest('account is required');
      if (!Number.isInteger(age) || age < 0) throw new BadRequest('age must be a whole number of seconds');
      const acr = url.searchParams.get('acr') || undefined;
      const ts = Math.floor(Date.now() / 1000) - age;
      result = { login: { accountId: account, acr, amr: ['pwd'], ts } };
    } else {
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
      if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
      if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
      for (const [resource, scopes] of Object.entries(missingResourceScopes ?? {})) {
        grant.addResourceScope(resource, scopes.join(' '));
      }
      result = { consent: { grantId: await grant.save() } };
    }
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: action === 'consent' });
  } catch (err) {
    // oidc-provider's errors (e.g. no interaction cookie) carry a status.
    const status = err instanceof BadRequest ? 400 : (err.statusCode ?? 500);
    const description = err.error_description ?? err.message;
    log(`interaction failed: ${description}`);
    sendJSON(res, status, { error: err.error ?? (status === 400 ? 'invalid_request' : 'server_error'), error_description: description });
  }
}

// loginClaims returns the acr and auth_time of the login behind a token
// that the code or refresh grant is issuing (oidc-provider copies them from
// the session into the code, and from the code into the refresh token),
// else undefined: client_credentials and /test/token tokens have none.
function loginClaims(ctx) {
  const { AuthorizationCode: code, RefreshToken: refresh } = ctx?.oidc?.entities ?? {};
  const source = code ?? refresh;
  if (!source?.authTime) return undefined;
  return { acr: source.acr, auth_time: source.authTime };
}
