// Package dpop verifies DPoP proofs (RFC 9449): the JWT a client sends in the
// DPoP header to show that it holds the private key an access token is bound
// to. It does no I/O: the caller hands it the proof, the request's method and
// URI, and the access token, and it answers with the RFC 7638 thumbprint of
// the proof's key, which the caller compares with the token's cnf.jkt.
//
// https://www.rfc-editor.org/rfc/rfc9449 (section 4.3: checking a proof)
// https://www.rfc-editor.org/rfc/rfc7638 (JWK thumbprints)
//
// # Security
//
//   - Only asymmetric algorithms are accepted: ES256, ES384, PS256, RS256 and
//     EdDSA (Algorithms). "none" and every HMAC algorithm are refused before
//     the signature is looked at; RSA keys shorter than 2048 bits are refused.
//   - The alg and typ are read from the protected header only; typ must be
//     dpop+jwt (compared case-insensitively, as media types are).
//   - The header's jwk must be a public key: private or symmetric key material
//     is refused. The key verifies the proof's signature and nothing else: it
//     is never trusted for anything until the caller has matched its
//     thumbprint with the token's cnf.jkt.
//   - htu is compared with a URI the caller builds from a configured external
//     base URL (RequestURI), never from the Host header alone, after both are
//     normalised (scheme and host lower-case, default port dropped, query and
//     fragment ignored).
//   - iat must lie within Window of the injected clock, both ways.
//   - ath must be base64url(SHA-256(access token)): a proof made for one token
//     is useless with another.
//   - jti is remembered by the Replay cache until the proof could no longer be
//     accepted anyway; a second use is refused. The cache is bounded: when it
//     is full of live entries, new proofs are refused (fail closed) rather than
//     forgetting a jti that could then be replayed; that refusal matches
//     ErrReplayFull, a capacity failure, not ErrInvalidProof.
//   - Server-provided nonces (use_dpop_nonce) are not implemented: a nonce
//     claim in a proof is ignored.
//   - Every failure is a *Error whose Kind says what was wrong; none of its
//     text repeats the proof or the token.
package dpop
