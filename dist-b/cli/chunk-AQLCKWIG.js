import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/util/secret.ts
import { createHash } from "node:crypto";
import { inspect } from "node:util";
var MASK = "***";
var registry = /* @__PURE__ */ new Set();
var longestFirst;
var Secret = class {
  #value;
  constructor(value) {
    this.#value = value;
    if (value.length > 0) {
      registry.add(value);
      registry.add(encodeURIComponent(value));
      registry.add(JSON.stringify(value).slice(1, -1));
      longestFirst = void 0;
    }
  }
  reveal() {
    return this.#value;
  }
  /** The value's SHA-256 (hex), to compare with a file on the VM without revealing it. */
  sha256() {
    return createHash("sha256").update(this.#value).digest("hex");
  }
  /** Whether the value matches, without revealing it (validation). */
  matches(pattern) {
    return pattern.test(this.#value);
  }
  get isEmpty() {
    return this.#value.length === 0;
  }
  toString() {
    return MASK;
  }
  toJSON() {
    return MASK;
  }
  [inspect.custom]() {
    return MASK;
  }
};
function basicAuthHeader(user, password) {
  const token = new Secret(Buffer.from(`${user}:${password.reveal()}`, "utf8").toString("base64"));
  return { Authorization: `Basic ${token.reveal()}` };
}
var MASK_ANYWHERE_LENGTH = 8;
var isWordChar = (c) => c !== void 0 && /[\p{L}\p{N}_]/u.test(c);
function maskSecrets(text) {
  let out = text;
  longestFirst ??= [...registry].sort((a, b) => b.length - a.length);
  for (const value of longestFirst) {
    if (!out.includes(value)) continue;
    if (value.length >= MASK_ANYWHERE_LENGTH) {
      out = out.split(value).join(MASK);
      continue;
    }
    let result = "";
    let from = 0;
    for (let at = out.indexOf(value); at >= 0; at = out.indexOf(value, at + 1)) {
      if (at < from) continue;
      const end = at + value.length;
      const alone = !(isWordChar(value[0]) && isWordChar(out[at - 1])) && !(isWordChar(value[value.length - 1]) && isWordChar(out[end]));
      if (!alone) continue;
      result += out.slice(from, at) + MASK;
      from = end;
    }
    out = result + out.slice(from);
  }
  return out;
}
function maskStreams(...streams) {
  for (const stream of streams) {
    const write = stream.write.bind(stream);
    stream.write = (chunk, ...rest) => {
      if (typeof chunk === "string") return write(maskSecrets(chunk), ...rest);
      if (chunk instanceof Uint8Array) {
        return write(Buffer.from(maskSecrets(Buffer.from(chunk).toString("utf8")), "utf8"), ...rest);
      }
      return write(chunk, ...rest);
    };
  }
}

// src/render/backend-uri.ts
var SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];
var AZURE_PG_ROOTS = "for Azure Database for PostgreSQL, the DigiCert Global Root G2 and Microsoft RSA Root CA 2017 certificates in one PEM file (see docs/getting-started-azure.md)";
function uriHost(host) {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
var CONNECT_TIMEOUT_SEC = 10;
function uriQuery(db) {
  const root = db.sslRootCertPath ? `&sslrootcert=${encodeURIComponent(db.sslRootCertPath).replace(/%2F/gi, "/")}` : "";
  return `?sslmode=${db.sslmode}&connect_timeout=${CONNECT_TIMEOUT_SEC}${root}`;
}
function backendStoreUri(db) {
  const user = encodeURIComponent(db.user);
  const password = encodeURIComponent(db.password.reveal());
  const name = encodeURIComponent(db.database);
  return new Secret(`postgresql+psycopg2://${user}:${password}@${uriHost(db.host)}:${db.port}/${name}${uriQuery(db)}`);
}
function backendUriWithoutPassword(db) {
  return `postgresql+psycopg2://${encodeURIComponent(db.user)}@${uriHost(db.host)}:${db.port}/${encodeURIComponent(db.database)}${uriQuery(db)}`;
}
function parseBackendUri(uri) {
  const m = /^postgresql(?:\+psycopg2)?:\/\/(.*)$/.exec(uri.reveal());
  if (!m) return void 0;
  let url;
  try {
    url = new URL(`http://${m[1]}`);
  } catch {
    return void 0;
  }
  const sslmode = url.searchParams.get("sslmode") ?? "prefer";
  if (!SSL_MODES.includes(sslmode) || !url.hostname || !url.username) return void 0;
  const rootPath = url.searchParams.get("sslrootcert");
  return {
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username),
    database: decodeURIComponent(url.pathname.replace(/^\//, "")) || decodeURIComponent(url.username),
    password: new Secret(decodeURIComponent(url.password)),
    sslmode,
    ...rootPath ? { sslRootCertPath: rootPath } : {}
  };
}

export {
  Secret,
  basicAuthHeader,
  maskSecrets,
  maskStreams,
  SSL_MODES,
  AZURE_PG_ROOTS,
  backendStoreUri,
  backendUriWithoutPassword,
  parseBackendUri
};
