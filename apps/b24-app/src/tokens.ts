/**
 * Long-lived connector tokens: JWTs signed with the app's private key (ES256 or RS256), verified
 * with the public key. A token names one connector (`sub`), carries its scopes, and is valid only
 * while its `jti` is in the registry and not revoked — both checked in Redis on every use, so a
 * revocation works at once for every b24-app process.
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import jwt from "jsonwebtoken";
import { ConnectorTokenError } from "./errors.js";
import { expandScopes } from "./scopes.js";
import type { AppStore, IssuedToken } from "./store.js";

export const TOKEN_AUDIENCE = "asterisk-b24-gateway";

export interface VerifiedToken {
  jti: string;
  connectorId: string;
  scopes: string[];
}

export interface TokenKeys {
  privateKey?: string;
  publicKey: string;
  algorithm: "ES256" | "RS256";
  issuer: string;
}

export function readTokenKeys(cfg: { privateKeyFile: string; publicKeyFile: string; algorithm: "ES256" | "RS256"; issuer: string }, needPrivate: boolean): TokenKeys {
  return {
    ...(needPrivate ? { privateKey: readFileSync(cfg.privateKeyFile, "utf8") } : {}),
    publicKey: readFileSync(cfg.publicKeyFile, "utf8"),
    algorithm: cfg.algorithm,
    issuer: cfg.issuer,
  };
}

/** A fresh PEM key pair for `algorithm`. */
export function generateTokenKeys(algorithm: "ES256" | "RS256"): { privateKey: string; publicKey: string } {
  const pair = algorithm === "ES256" ? generateKeyPairSync("ec", { namedCurve: "P-256" }) : generateKeyPairSync("rsa", { modulusLength: 3072 });
  return {
    privateKey: pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKey: pair.publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

export class ConnectorTokens {
  constructor(
    private readonly store: AppStore,
    private readonly keys: TokenKeys,
    private readonly defaultTtlDays = 3650,
  ) {}

  async issue(input: { connectorId: string; scopes?: string[]; ttlDays?: number; note?: string }): Promise<{ token: string; record: IssuedToken }> {
    if (!this.keys.privateKey) throw new TypeError("the private key is needed to issue tokens");
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(input.connectorId)) throw new TypeError(`connector id must be 1-64 of [A-Za-z0-9._-]: "${input.connectorId}"`);
    const scopes = expandScopes(input.scopes ?? ["connector"]);
    const jti = randomUUID();
    const ttlSec = Math.round((input.ttlDays ?? this.defaultTtlDays) * 86400);
    const now = Math.floor(Date.now() / 1000);
    const token = jwt.sign({ scope: scopes }, this.keys.privateKey, {
      algorithm: this.keys.algorithm,
      audience: TOKEN_AUDIENCE,
      issuer: this.keys.issuer,
      subject: input.connectorId,
      jwtid: jti,
      expiresIn: ttlSec,
    });
    const record: IssuedToken = {
      jti,
      connectorId: input.connectorId,
      scopes,
      issuedAt: new Date(now * 1000).toISOString(),
      expiresAt: new Date((now + ttlSec) * 1000).toISOString(),
      ...(input.note ? { note: input.note } : {}),
    };
    await this.store.registerToken(record);
    return { token, record };
  }

  async verify(token: string | undefined): Promise<VerifiedToken> {
    if (!token) throw new ConnectorTokenError("missing", "no bearer token");
    let claims: jwt.JwtPayload;
    try {
      claims = jwt.verify(token, this.keys.publicKey, { algorithms: [this.keys.algorithm], audience: TOKEN_AUDIENCE, issuer: this.keys.issuer }) as jwt.JwtPayload;
    } catch (e) {
      if (e instanceof jwt.TokenExpiredError) throw new ConnectorTokenError("expired", "the connector token has expired");
      const msg = (e as Error).message;
      if (/audience|issuer/i.test(msg)) throw new ConnectorTokenError("wrong-audience", `token not for this gateway: ${msg}`);
      if (/signature/i.test(msg)) throw new ConnectorTokenError("signature", "invalid token signature");
      throw new ConnectorTokenError("malformed", `malformed token: ${msg}`);
    }
    const jti = claims.jti;
    const sub = claims.sub;
    if (!jti || !sub || !Array.isArray(claims.scope)) throw new ConnectorTokenError("malformed", "token lacks jti, sub or scope");
    const state = await this.store.tokenState(jti);
    if (!state.token || state.token.connectorId !== sub) throw new ConnectorTokenError("unknown", "token is not in the registry");
    if (state.revokedAt) throw new ConnectorTokenError("revoked", `token was revoked at ${state.revokedAt}`);
    return { jti, connectorId: sub, scopes: (claims.scope as unknown[]).map(String) };
  }
}
