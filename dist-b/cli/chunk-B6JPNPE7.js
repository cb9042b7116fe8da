import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  ConnectionDropped,
  DEFAULT_GLOBAL_KNOWN_HOSTS,
  ForwardTimeout,
  HostKeyVerifier,
  HostUnreachable,
  Interrupted,
  StepError,
  knownHostsName,
  shq
} from "./chunk-DOFNX5A2.js";
import {
  UNIT_NAME,
  UNIT_PATH
} from "./chunk-UMUOKFXQ.js";
import {
  AZURE_PG_ROOTS,
  Secret,
  backendStoreUri,
  backendUriWithoutPassword,
  maskSecrets
} from "./chunk-AQLCKWIG.js";
import {
  VM_FILES,
  tildePath
} from "./chunk-WWIPIQSO.js";

// src/checks/database.ts
import { checkServerIdentity } from "node:tls";

// src/ssh/socket-shim.ts
function socketShim(stream) {
  const s = stream;
  s.setNoDelay = () => stream;
  s.setKeepAlive = () => stream;
  s.setTimeout = () => stream;
  s.ref = () => stream;
  s.unref = () => stream;
  s.connect = () => {
    process.nextTick(() => stream.emit("connect"));
    return stream;
  };
  return stream;
}

// src/checks/database.ts
function firstTransport(mode) {
  return mode === "disable" || mode === "allow" ? "plain" : "tls";
}
function fallbackTransport(mode, tried, end) {
  if (mode === "prefer" && tried === "tls" && (end === "tls-refused" || end === "tls-failed" || end === "rejected")) return "plain";
  if (mode === "allow" && tried === "plain" && end === "rejected") return "tls";
  return void 0;
}
function attemptEnd(err, p) {
  if (/^The server does not support SSL connections/.test(err.message)) return "tls-refused";
  if (err.severity !== void 0) return p.authenticated ? "failed" : "rejected";
  if (p.transport === "tls" && p.tlsStarted && !p.tlsDone) return "tls-failed";
  return "failed";
}
function transportOnly(f) {
  return f.end === "tls-refused" || f.end === "rejected" && f.transport === "plain" && /no encryption|SSL (connection )?is required|SSL off/i.test(f.message);
}
function failureToReport(failures) {
  return failures.find((f) => !transportOnly(f)) ?? failures[failures.length - 1];
}
function tlsChecks(db) {
  const verify = db.sslmode === "verify-ca" || db.sslmode === "verify-full";
  return { chain: verify || db.sslRootCert !== void 0 || db.sslRootCertPath !== void 0, hostName: db.sslmode === "verify-full" };
}
function tlsOptions(db) {
  const checks = tlsChecks(db);
  if (!checks.chain) return { rejectUnauthorized: false };
  if (!db.sslRootCert) {
    throw new StepError(`sslmode=${db.sslmode} needs the database server's root certificate, and none is given: pass --pg-ssl-root-cert FILE.`);
  }
  return {
    rejectUnauthorized: true,
    ca: db.sslRootCert.pem,
    checkServerIdentity: checks.hostName ? (_name, cert) => checkServerIdentity(db.host, cert) : () => void 0
  };
}
function describeTransport(db, transport, firstFailure) {
  if (transport === "plain") {
    if (db.sslmode === "disable") return "unencrypted";
    if (db.sslmode === "allow") return "unencrypted (sslmode=allow: the server accepted a connection without TLS)";
    const why = firstFailure?.end === "tls-refused" ? "the server does not offer TLS" : firstFailure ? `the TLS attempt failed: ${firstFailure.message}` : "TLS was not used";
    return `unencrypted (sslmode=${db.sslmode}: ${why})`;
  }
  const checks = tlsChecks(db);
  const verified = checks.chain && db.sslRootCert ? `certificate chains to ${db.sslRootCert.source}${checks.hostName ? ` and names ${db.host}` : ", host name not checked"}` : "";
  const fallback = db.sslmode === "allow" ? "sslmode=allow: the server refused a connection without TLS" : "";
  const notes = [fallback, verified].filter(Boolean).join("; ");
  return notes ? `TLS (${notes})` : "TLS";
}
function explainDatabaseError(err, db, vm, missing) {
  const target = `${db.host}:${db.port}`;
  const msg = maskSecrets(err.message);
  if (err.code === "FORWARD_TIMEOUT") {
    return `The VM ${vm} got no answer from the database at ${target}: a firewall drops the traffic. Add a firewall rule for the VM's address on the database server (Azure portal > your PostgreSQL server > Networking).`;
  }
  if (err.code === "FORWARD_FAILED") {
    if (/name|resolve|not known/i.test(msg)) return `The VM ${vm} cannot resolve the database host "${db.host}": check --pg-host (and the VM's DNS).`;
    return `The VM ${vm} cannot connect to the database at ${target} (${msg.replace(/^\(SSH\) /, "")}): check --pg-host, --pg-port and that the server is running.`;
  }
  if (err.code === "28P01") return `The database rejected the password for user "${db.user}": check POSTGRES_PASSWORD.`;
  if (err.code === "28000" && /no pg_hba\.conf entry/.test(msg)) {
    if (/no encryption/.test(msg)) return `The database at ${target} accepts only encrypted connections: use --pg-sslmode require (or stronger).`;
    return `The database at ${target} refuses connections from the VM ${vm} (no pg_hba.conf entry): add a firewall rule for the VM's address on the database server (Azure portal > your PostgreSQL server > Networking).`;
  }
  if (err.code === "3D000")
    return missing ?? `The database "${db.database}" does not exist on ${target}: create it (e.g. az postgres flexible-server db create) or fix --pg-db.`;
  if (/does not support SSL/i.test(msg))
    return `The database at ${target} does not offer TLS: use --pg-sslmode disable only if you really mean to send the password unencrypted.`;
  const certificate = explainCertificateError(err, db, target, msg);
  if (certificate) return certificate;
  if (/certificate|self.signed|SSL|TLS/i.test(msg))
    return `TLS with the database at ${target} failed (${msg}): check --pg-sslmode${db.sslRootCert ? " and --pg-ssl-root-cert" : ""}.`;
  if (/timeout/i.test(msg))
    return `The database at ${target} did not answer in time from the VM ${vm}: check the database firewall and that the server is running.`;
  return `Checking the database at ${target} from the VM ${vm} failed: ${msg}.`;
}
var CHAIN_ERRORS = /* @__PURE__ */ new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_SIGNATURE_FAILURE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "INVALID_CA",
  "INVALID_PURPOSE"
]);
function explainCertificateError(err, db, target, msg) {
  const roots = db.sslRootCert?.source ?? "the root certificate file";
  msg = msg.replace(/[:\s]+$/, "");
  if (err.code && CHAIN_ERRORS.has(err.code)) {
    return `The database server's certificate at ${target} does not chain to the root certificate(s) in ${roots} (TLS: ${msg}): pass with --pg-ssl-root-cert the root CA certificate(s) that issued it \u2014 ${AZURE_PG_ROOTS}.`;
  }
  if (err.code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return `The database server's certificate does not name "${db.host}" (TLS: ${msg}), which --pg-sslmode verify-full requires: set --pg-host to a name the certificate holds (on Azure: <server>.postgres.database.azure.com), or use --pg-sslmode verify-ca to verify only the chain.`;
  }
  if (err.code === "CERT_HAS_EXPIRED" || err.code === "CERT_NOT_YET_VALID") {
    return `The database server's certificate at ${target} is ${err.code === "CERT_HAS_EXPIRED" ? "expired" : "not yet valid"} (TLS: ${msg}): renew it on the server (or check this machine's clock).`;
  }
  return void 0;
}
var driver;
function loadDatabaseDriver() {
  driver ??= import("pg").then((m) => m.default);
  return driver;
}
async function attempt(pgModule, remote, db, transport, timeoutMs, work) {
  const ssl = transport === "tls" ? tlsOptions(db) : false;
  let channel;
  try {
    channel = await remote.forward(db.host, db.port, timeoutMs);
  } catch (err) {
    const error = err;
    return { ok: false, transport, end: "failed", message: error.message, error, forward: true };
  }
  const tunnel = socketShim(channel);
  const client = new pgModule.Client({
    host: db.host,
    port: db.port,
    user: db.user,
    database: db.database,
    password: db.password.reveal(),
    ssl,
    stream: () => tunnel,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    application_name: "provision"
  });
  client.on("error", () => void 0);
  const progress = { transport, tlsStarted: false, tlsDone: false, authenticated: false };
  const con = client.connection;
  con.once("sslconnect", () => {
    progress.tlsStarted = true;
    con.stream?.once("secureConnect", () => progress.tlsDone = true);
  });
  con.once("authenticationOk", () => progress.authenticated = true);
  try {
    await client.connect();
    const res = await client.query(
      `SELECT current_setting('server_version') AS version,
              has_schema_privilege('public', 'CREATE') AS can_create,
              to_regclass('public.alembic_version') IS NOT NULL AS has_schema,
              to_regclass('public.alembic_version_auth') IS NOT NULL AS has_auth_schema,
              (SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user) AS can_create_db`
    );
    const row = res.rows[0];
    if (work) await work(client);
    return {
      ok: true,
      report: {
        serverVersion: row.version,
        canCreateTables: row.can_create,
        hasMlflowSchema: row.has_schema,
        hasAuthSchema: row.has_auth_schema,
        canCreateDatabase: row.can_create_db === true
      }
    };
  } catch (err) {
    const error = err;
    error.message = error.message.replace(/; if the root CA is installed locally, try running Node\.js with --use-system-ca/, "");
    return { ok: false, transport, end: attemptEnd(error, progress), message: maskSecrets(error.message), error };
  } finally {
    await client.end().catch(() => void 0);
    tunnel.destroy();
  }
}
async function checkDatabase(remote, db, timeoutMs = 1e4, missing, work) {
  const pgModule = await loadDatabaseDriver();
  const failures = [];
  let transport = firstTransport(db.sslmode);
  while (transport) {
    const result = await attempt(pgModule, remote, db, transport, timeoutMs, work);
    if (result.ok) {
      return { ...result.report, encrypted: transport === "tls", transport: describeTransport(db, transport, failures[0]) };
    }
    failures.push(result);
    if (result.forward) break;
    transport = fallbackTransport(db.sslmode, transport, result.end);
  }
  const failure = failureToReport(failures);
  const message = explainDatabaseError(failure.error, db, remote.target.address, missing);
  throw failure.error.code === "3D000" ? new DatabaseMissing(message) : new StepError(message);
}
var DatabaseMissing = class extends StepError {
};
async function createDatabase(remote, via, name, timeoutMs = 3e4) {
  await checkDatabase(remote, via, timeoutMs, void 0, async (client) => {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`).catch((err) => {
      if (err.code !== "42P04") throw err;
    });
  });
}

// src/checks/http.ts
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import tls from "node:tls";
function tlsOptions2(check) {
  return {
    ...isIP(check.servername) === 0 ? { servername: check.servername } : {},
    ...check.ca ? { ca: check.ca } : {},
    rejectUnauthorized: true,
    checkServerIdentity: (_host, cert) => tls.checkServerIdentity(check.servername, cert)
  };
}
function request(req, tunnel, target) {
  return new Promise((resolve, reject) => {
    const headers = { Host: req.hostHeader ?? `${target.host}:${target.port}`, Connection: "close", ...req.headers };
    if (req.body !== void 0) {
      headers["Content-Type"] = req.contentType ?? "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(req.body));
    }
    const timeoutMs = req.timeoutMs ?? 1e4;
    const secure = req.tls ? tlsOptions2(req.tls) : void 0;
    const options = { host: target.host, port: target.port, method: req.method ?? "GET", path: req.path, headers, ...secure };
    if (req.tls) headers.Host = req.hostHeader ?? req.tls.servername;
    if (tunnel && secure) {
      options.createConnection = () => tls.connect({ socket: tunnel, ...secure });
    } else if (tunnel) options.createConnection = () => tunnel;
    else options.agent = false;
    const onResponse = (res) => {
      const chunks = [];
      const socket = res.socket;
      const peer = req.tls && typeof socket.getPeerCertificate === "function" ? socket.getPeerCertificate() : void 0;
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString("utf8"),
          headers: res.headers,
          ...peer?.valid_to ? {
            cert: {
              validFrom: new Date(peer.valid_from).toISOString(),
              validTo: new Date(peer.valid_to).toISOString(),
              issuer: String(peer.issuer?.CN ?? peer.issuer?.O ?? ""),
              names: peer.subjectaltname ?? ""
            }
          } : {}
        });
      });
      res.on("error", reject);
    };
    const r = req.tls ? https.request(options, onResponse) : http.request(options, onResponse);
    const timer = setTimeout(() => r.destroy(new Error(`no HTTP answer within ${Math.round(timeoutMs / 1e3)} s`)), timeoutMs);
    r.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    r.end(req.body);
  });
}
async function httpOnVm(remote, port, req) {
  const channel = socketShim(await remote.forward("127.0.0.1", port, req.timeoutMs ?? 1e4));
  try {
    return await request(req, channel, { host: "127.0.0.1", port });
  } finally {
    channel.destroy();
  }
}
function httpDirect(host, port, req) {
  return request(req, void 0, { host, port });
}

// src/ssh/connection.ts
import { randomBytes } from "node:crypto";
import { Client } from "ssh2";

// src/ssh/client-auth.ts
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
function knownHostsFilesFor(target, knownHostsPath) {
  return target.knownHosts ?? {
    name: knownHostsName(target.address, target.port),
    userFiles: [knownHostsPath],
    globalFiles: DEFAULT_GLOBAL_KNOWN_HOSTS
  };
}
var HOST_KEY_ALGORITHMS = {
  "ssh-ed25519": ["ssh-ed25519"],
  "ecdsa-sha2-nistp256": ["ecdsa-sha2-nistp256"],
  "ecdsa-sha2-nistp384": ["ecdsa-sha2-nistp384"],
  "ecdsa-sha2-nistp521": ["ecdsa-sha2-nistp521"],
  "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]
};
var ALL_HOST_KEY_ALGORITHMS = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
  "ssh-rsa"
];
function keyCandidates(target, passphrase) {
  const methods = [];
  const pass = passphrase?.reveal();
  const explicit = target.identityFiles.length > 0;
  if (explicit) {
    for (const file of target.identityFiles) {
      methods.push({ type: "publickey", username: target.user, key: readFileSync(file), ...pass ? { passphrase: pass } : {} });
    }
  }
  if (process.env.SSH_AUTH_SOCK) methods.push({ type: "agent", username: target.user, agent: process.env.SSH_AUTH_SOCK });
  if (!explicit) {
    for (const name of ["id_ed25519", "id_ecdsa", "id_rsa"]) {
      const file = join(homedir(), ".ssh", name);
      if (existsSync(file)) methods.push({ type: "publickey", username: target.user, key: readFileSync(file), ...pass ? { passphrase: pass } : {} });
    }
  }
  return methods;
}

// src/ssh/errors.ts
function describeConnectError(err, target, timeoutMs) {
  const where = `${target.address}:${target.port}`;
  if (err.level === "client-authentication") {
    return `The VM refused SSH login as "${target.user}": check --user (Azure's default is azureuser) and --identity-file, or load your key into ssh-agent.`;
  }
  switch (err.code) {
    case "ECONNREFUSED":
      return `Nothing accepts SSH connections on ${where} (connection refused): check the VM is running and --ssh-port.`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `The host name "${target.address}" does not resolve: check --host.`;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `${where} is unreachable from this machine: check the address and your network or VPN.`;
    case "ECONNRESET":
      return `${where} closed the connection during the SSH handshake: check it is an SSH server and that it accepts your IP.`;
    default:
      break;
  }
  if (err.level === "client-timeout" || /timed out/i.test(err.message)) {
    return `No SSH answer from ${where} within ${Math.round(timeoutMs / 1e3)} s: check the VM is running and that its network security group allows SSH from your IP.`;
  }
  return `SSH connection to ${where} failed: ${err.message}.`;
}

// src/ssh/connection.ts
var SFTP_REQUEST_TIMEOUT_MS = 3e4;
var Remote = class _Remote {
  /**
   * `refusedKey`: why the connection was closed by our own host-key check at a re-key (the server presented
   * another key mid-connection); every operation it cuts short then says that, not "dropped".
   */
  constructor(client, target, refusedKey = () => void 0) {
    this.client = client;
    this.target = target;
    this.refusedKey = refusedKey;
    const gone = () => {
      this.closed = true;
      for (const fail of [...this.pending]) fail();
    };
    client.on("end", gone);
    client.on("close", gone);
    client.on("error", gone);
  }
  client;
  target;
  refusedKey;
  execCount = 0;
  /** Channels opened to host:port by the VM (database check, HTTP checks). */
  forwardCount = 0;
  sftpSession;
  active = /* @__PURE__ */ new Set();
  /** Set while interrupt() waits for the running commands to end. */
  onIdle;
  closed = false;
  /** Set by interrupt(): operations cut short by the closing connection say "Interrupted", not "dropped". */
  interrupting = false;
  /** SFTP requests in flight: ssh2 never calls their callbacks once the connection is gone, so we fail them. */
  pending = /* @__PURE__ */ new Set();
  droppedError(what) {
    const refused = this.refusedKey();
    if (refused) return refused;
    return this.interrupting ? new Interrupted(`Interrupted ${what}.`) : new ConnectionDropped(`The SSH connection to ${this.target.address} dropped ${what}; rerun provision to continue.`);
  }
  /**
   * One SFTP request (or the session's opening), bounded: it fails when the connection goes away or after
   * `timeoutMs`, since ssh2 never calls back on a dead channel and an unanswered request would otherwise
   * leave the run waiting forever (Node then exits as if all were well).
   */
  bounded(what, fn, timeoutMs = SFTP_REQUEST_TIMEOUT_MS) {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(this.droppedError(what));
        return;
      }
      let done = false;
      const finish = (err, v) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.pending.delete(fail);
        if (err) reject(err);
        else resolve(v);
      };
      const fail = () => finish(this.droppedError(what));
      const timer = setTimeout(() => {
        finish(new StepError(`${this.target.address} did not answer within ${Math.round(timeoutMs / 1e3)} s ${what}; rerun provision to continue.`));
      }, timeoutMs);
      this.pending.add(fail);
      try {
        fn(finish);
      } catch (err) {
        finish(err);
      }
    });
  }
  static connect(target, options) {
    const verifier = new HostKeyVerifier(knownHostsFilesFor(target, options.knownHostsPath), options.hostKeyPolicy, options.onNewHostKey);
    const preferred = verifier.knownKeyTypes().flatMap((t) => HOST_KEY_ALGORITHMS[t] ?? []);
    const methods = keyCandidates(target, options.passphrase);
    if (methods.length === 0) {
      return Promise.reject(new StepError("No SSH key to log in with: pass --identity-file, load a key into ssh-agent, or create ~/.ssh/id_ed25519."));
    }
    let hostKeyProblem;
    const client = new Client();
    const config = {
      host: target.address,
      port: target.port,
      username: target.user,
      readyTimeout: options.connectTimeoutMs,
      keepaliveInterval: 5e3,
      keepaliveCountMax: 4,
      authHandler: methods,
      algorithms: {
        serverHostKey: [.../* @__PURE__ */ new Set([...preferred, ...ALL_HOST_KEY_ALGORITHMS])]
      },
      // Called at the first key exchange and again at every re-key (the verifier pins the first key).
      hostVerifier: (key) => {
        const ok = verifier.verify(key);
        if (!ok && verifier.problem) hostKeyProblem = new StepError(verifier.problem);
        return ok;
      }
    };
    return new Promise((resolve, reject) => {
      let settled = false;
      client.once("ready", () => {
        settled = true;
        resolve(new _Remote(client, target, () => hostKeyProblem));
      });
      client.on("error", (err) => {
        if (settled) return;
        settled = true;
        client.end();
        if (hostKeyProblem) {
          reject(hostKeyProblem);
          return;
        }
        const sentence = describeConnectError(err, target, options.connectTimeoutMs);
        const unreachable = err.level !== "client-authentication" && err.level !== "protocol";
        reject(unreachable ? new HostUnreachable(sentence) : new StepError(sentence));
      });
      client.once("close", () => {
        if (settled) return;
        settled = true;
        reject(hostKeyProblem ?? new StepError(`${target.address}:${target.port} closed the SSH connection before login finished.`));
      });
      client.connect(config);
      client.setNoDelay(true);
    });
  }
  get isClosed() {
    return this.closed;
  }
  /**
   * Runs a command through the user's login shell, bounded by a remote `timeout` and a local backstop.
   * Output is streamed line by line; the exit status (or signal) is returned, never thrown.
   */
  exec(command, options = {}) {
    const timeoutSec = options.timeoutSec ?? 600;
    const script = options.stdin === void 0 ? `exec </dev/null
${command}` : command;
    const wrapped = `exec timeout --kill-after=10 ${timeoutSec} bash -c ${shq(script)}`;
    this.execCount += 1;
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new ConnectionDropped(`The SSH connection to ${this.target.address} is closed.`));
        return;
      }
      if (this.onIdle) {
        reject(new Interrupted("Interrupted: no new command was started."));
        return;
      }
      let opened = false;
      const failOpen = () => {
        if (!opened) reject(this.droppedError("while a command was being started"));
      };
      this.pending.add(failOpen);
      this.client.exec(wrapped, (err, channel) => {
        opened = true;
        this.pending.delete(failOpen);
        if (err) {
          reject(new StepError(`Could not run a command on ${this.target.address}: ${err.message}.`));
          return;
        }
        this.active.add(channel);
        channel.on("error", () => void 0);
        channel.stderr.on("error", () => void 0);
        const out = { stdout: "", stderr: "" };
        const partial = { stdout: "", stderr: "" };
        const feed = (stream, chunk) => {
          const text = chunk.toString("utf8");
          out[stream] += text;
          if (!options.onLine) return;
          const lines = (partial[stream] + text).split(/\r?\n|\r/);
          partial[stream] = lines.pop() ?? "";
          for (const line of lines) options.onLine(maskSecrets(line), stream);
        };
        let code = null;
        let signal;
        const backstop = setTimeout(
          () => {
            channel.close();
            reject(new StepError(`A remote command on ${this.target.address} did not finish within ${timeoutSec + 15} s.`));
          },
          (timeoutSec + 15) * 1e3
        );
        channel.on("data", (d) => feed("stdout", d));
        channel.stderr.on("data", (d) => feed("stderr", d));
        channel.on("exit", (c, s) => {
          code = c;
          signal = s ?? void 0;
        });
        channel.on("close", () => {
          clearTimeout(backstop);
          this.active.delete(channel);
          if (this.active.size === 0) this.onIdle?.();
          for (const stream of ["stdout", "stderr"]) {
            if (partial[stream] !== "" && options.onLine) options.onLine(maskSecrets(partial[stream]), stream);
          }
          if (code === null && signal === void 0) {
            reject(this.droppedError("while a command was running"));
            return;
          }
          resolve({ code: code ?? (signal ? 128 : 255), ...signal ? { signal } : {}, ...out });
        });
        if (options.stdin !== void 0) channel.write(options.stdin);
      });
    });
  }
  sftp() {
    this.sftpSession ??= this.bounded(
      "while opening SFTP",
      (cb) => this.client.sftp((err, sftp) => {
        sftp?.on("error", () => void 0);
        cb(err, sftp);
      })
    ).catch((err) => {
      this.sftpSession = void 0;
      if (err instanceof StepError) throw err;
      throw new StepError(`Could not open SFTP on ${this.target.address}: ${err.message}.`);
    });
    return this.sftpSession;
  }
  /**
   * Writes a file atomically: a temporary file next to it is written, chmod'ed, then renamed over the old
   * one, so a full disk or a dropped connection leaves the previous file intact. A temporary file left by
   * a connection that died mid-upload is removed by the next run (see the probe's `leftover_upload`).
   */
  async writeFileAtomic(path, content, mode) {
    const sftp = await this.sftp();
    const data = Buffer.from(typeof content === "string" ? content : content.reveal(), "utf8");
    const tmp = `${path}.provision-${randomBytes(4).toString("hex")}`;
    const what = `while uploading ${path}`;
    try {
      const handle = await this.bounded(what, (cb) => sftp.open(tmp, "w", { mode }, cb));
      try {
        let offset = 0;
        while (offset < data.length) {
          const len = Math.min(32768, data.length - offset);
          await this.bounded(what, (cb) => sftp.write(handle, data, offset, len, offset, cb));
          offset += len;
        }
        await this.bounded(what, (cb) => sftp.fchmod(handle, mode, cb));
      } finally {
        await this.bounded(what, (cb) => sftp.close(handle, cb)).catch(() => void 0);
      }
      await this.bounded(what, (cb) => sftp.ext_openssh_rename(tmp, path, cb));
    } catch (err) {
      if (err instanceof StepError) throw err;
      await this.bounded(what, (cb) => sftp.unlink(tmp, cb)).catch(() => void 0);
      const reason = err.message;
      const full = /no space|quota|failure/i.test(reason) ? " (is the VM's disk full?)" : "";
      throw new StepError(`Uploading ${path} to ${this.target.address} failed: ${reason}${full}. The previous file, if any, is unchanged.`);
    }
  }
  /** A TCP connection opened by the VM to host:port, as a stream (what `ssh -L` does). */
  forward(host, port, timeoutMs = 1e4) {
    this.forwardCount += 1;
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(Object.assign(new Error("the SSH connection is closed"), { code: "FORWARD_FAILED" }));
        return;
      }
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        reject(new ForwardTimeout(`no answer within ${Math.round(timeoutMs / 1e3)} s`));
      }, timeoutMs);
      this.client.forwardOut("127.0.0.1", 0, host, port, (err, channel) => {
        clearTimeout(timer);
        if (timedOut) {
          channel?.close();
          return;
        }
        if (err) reject(Object.assign(err, { code: "FORWARD_FAILED" }));
        else {
          channel.on("error", () => void 0);
          resolve(channel);
        }
      });
    });
  }
  /**
   * Ctrl-C: asks every running remote command to stop (SIGTERM reaches `timeout`, which passes it to the
   * whole process group, sudo and apt included), then closes the connection.
   */
  interrupt(graceMs = 3e3) {
    this.interrupting = true;
    for (const channel of this.active) channel.signal("TERM");
    return new Promise((resolve) => {
      let finished = false;
      const done = () => {
        if (finished) return;
        finished = true;
        this.onIdle = void 0;
        this.close();
        resolve();
      };
      if (this.active.size === 0) return done();
      this.onIdle = done;
      setTimeout(done, graceMs).unref();
    });
  }
  close() {
    if (this.closed) return;
    this.sftpSession?.then((s) => s.end()).catch(() => void 0);
    this.client.end();
  }
};

// src/util/url-host.ts
function urlHost(name) {
  return name.includes(":") ? `[${name}]` : name;
}

// src/render/server-files.ts
import { createHash, createHmac, randomBytes as randomBytes2 } from "node:crypto";
function remoteLayout(home, artifactsDir) {
  const at = (name) => `${home}/${name}`;
  return {
    home,
    venv: at(VM_FILES.venv),
    launcher: at(VM_FILES.launcher),
    secrets: at(VM_FILES.secrets),
    log: at(VM_FILES.log),
    pidFile: at(VM_FILES.pidFile),
    artifactsDir: artifactsDir ?? at(VM_FILES.artifactsDir),
    authIni: at(VM_FILES.authIni),
    pgRootCert: at(VM_FILES.pgRootCert)
  };
}
var DB_POOL = { size: 2, maxOverflow: 3 };
function autoWorkers(memTotalMb) {
  return Math.min(4, Math.max(1, Math.floor(memTotalMb / 2048)));
}
function renderLauncher(layout, server) {
  const flags = [
    ["--host", server.listen ?? "0.0.0.0"],
    ["--port", String(server.port)],
    ["--workers", String(server.workers)],
    ["--default-artifact-root", "mlflow-artifacts:/"],
    ["--artifacts-destination", server.artifactsDestination ?? layout.artifactsDir],
    ["--allowed-hosts", server.allowedHosts.join(",")],
    ...server.corsOrigins?.length ? [["--cors-allowed-origins", server.corsOrigins.join(",")]] : [],
    ...server.auth ? [["--app-name", "basic-auth"]] : []
  ];
  const sizing = [
    "# Sizing (docs/sizing.md): database connections per worker, and the background job runner.",
    `export MLFLOW_SQLALCHEMYSTORE_POOL_SIZE=${DB_POOL.size} MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW=${DB_POOL.maxOverflow}`,
    `export MLFLOW_SERVER_ENABLE_JOB_EXECUTION=${server.jobRunner ? "true" : "false"}`
  ];
  const auth = server.auth ? [
    "# --auth basic: users and permissions live in the database named in this file; the admin password, the",
    "# session secret key and PGPASSWORD (for that database) are in the secrets file.",
    `export MLFLOW_AUTH_CONFIG_PATH=${shq(layout.authIni)}`,
    `export MLFLOW_AUTH_ADMIN_USERNAME=${shq(server.auth.adminUser)}`
  ] : [];
  return [
    "#!/usr/bin/env bash",
    "# MLflow tracking server launcher, written by `provision`. Rerun provision to change it.",
    `# Start by hand:  nohup ${tildePath("launcher")} </dev/null >>${tildePath("log")} 2>&1 &`,
    `# The database URI (with its password) is read from ${layout.secrets} (mode 0600).`,
    "set -euo pipefail",
    "set -a",
    `. ${shq(layout.secrets)}`,
    "set +a",
    ...sizing,
    ...auth,
    `exec ${shq(`${layout.venv}/bin/mlflow`)} server \\`,
    ...flags.map(([flag, value], i) => `  ${flag} ${shq(value)}${i < flags.length - 1 ? " \\" : ""}`),
    ""
  ].join("\n");
}
function renderSecretsEnv(db, extra = []) {
  const entries = [
    ["MLFLOW_BACKEND_STORE_URI", backendStoreUri(db).reveal()],
    ...extra.map(([n, v]) => [n, v.reveal()])
  ];
  for (const [name, value] of entries) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`the secrets file cannot hold the variable name ${JSON.stringify(name)}`);
    if (/[\0\r\n]/.test(value)) throw new Error(`the secrets file cannot hold ${name}: its value contains a line break or NUL character`);
  }
  const lines = [
    `# Written by \`provision\`; mode 0600; read by ${VM_FILES.launcher}. Do not commit or share.`,
    ...entries.map(([name, value]) => `${name}=${shq(value)}`),
    ""
  ];
  return new Secret(lines.join("\n"));
}
function sha256(text) {
  return createHash("sha256").update(typeof text === "string" ? text : text.reveal()).digest("hex");
}
function renderAuthIni(db, auth) {
  const uri = backendUriWithoutPassword({ ...db, database: auth.database });
  return [
    "# MLflow basic-auth configuration, written by `provision` (--auth basic). No secrets here: the database",
    "# password comes from PGPASSWORD and the admin password from MLFLOW_AUTH_ADMIN_PASSWORD (secrets file).",
    "[mlflow]",
    "default_permission = READ",
    `database_uri = ${uri.replace(/%/g, "%%")}`,
    `admin_username = ${auth.adminUser.replace(/%/g, "%%")}`,
    "authorization_function = mlflow.server.auth:authenticate_request_basic_auth",
    ""
  ].join("\n");
}
function configFingerprint(launcher, secrets, authIni, salt) {
  const base = `${sha256(launcher)}
${sha256(secrets)}`;
  const text = authIni === void 0 ? base : `${base}
${sha256(authIni)}`;
  if (salt) return createHmac("sha256", salt).update(text).digest("hex").slice(0, 16);
  return sha256(text).slice(0, 16);
}
function newFingerprintSalt() {
  return randomBytes2(16).toString("hex");
}
function parseSecretsEnv(text) {
  const out = /* @__PURE__ */ new Map();
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(line);
    if (!m) continue;
    const word = m[2];
    let value = "";
    let ok = true;
    for (let i = 0; i < word.length; i++) {
      const c = word[i];
      if (c === "'") {
        const end = word.indexOf("'", i + 1);
        if (end < 0) {
          ok = false;
          break;
        }
        value += word.slice(i + 1, end);
        i = end;
      } else if (c === "\\" && i + 1 < word.length) {
        value += word[i + 1];
        i += 1;
      } else {
        value += c;
      }
    }
    if (ok) out.set(m[1], new Secret(value));
  }
  return out;
}

// src/plan/probe/part.ts
var PROBE_DONE = "probe_done";
function homeFile(file) {
  const name = VM_FILES[file];
  if (shq(name) !== name) throw new Error(`the VM file name ${JSON.stringify(name)} is not a plain shell word`);
  return `"$HOME/${name}"`;
}
var PRELUDE = `set +e
V=${homeFile("venv")}`;
function composeProbeScript(parts, input) {
  return `
${[PRELUDE, ...parts.map((p) => p.script(input).trim()), `echo ${PROBE_DONE}=1`].join("\n")}
`;
}
function readProbeOutput(text, parts, into) {
  const readers = /* @__PURE__ */ new Map();
  for (const part of parts) for (const [key, read] of Object.entries(part.keys)) readers.set(key, read);
  const lineReaders = parts.filter((p) => p.line);
  let done = false;
  for (const line of text.split("\n")) {
    if (lineReaders.some((p) => p.line(into, line))) continue;
    const i = line.indexOf("=");
    if (i < 0) continue;
    const key = line.slice(0, i);
    const raw = line.slice(i + 1);
    if (key === PROBE_DONE) done = true;
    else readers.get(key)?.(into, raw.trim(), raw);
  }
  return done;
}

// src/plan/probe/artifacts.ts
var artifactsPart = {
  name: "artifacts",
  script: (input) => `
A=${input.artifactsDir ? shq(input.artifactsDir) : homeFile("artifactsDir")}
# The artifacts folder is judged as the VM resolves it (symlinks followed), next to the resolved home; a
# folder that is not ours is only named, never changed.
{ IFS= read -r hr; IFS= read -r ar; } <<PROBE_PATHS
$(readlink -m -- "$HOME" "$A")
PROBE_PATHS
printf 'home_real=%s\\nartifacts_real=%s\\n' "$hr" "$ar"
if [ -L "$A" ]; then echo artifacts=symlink
elif [ -d "$A" ]; then
  [ -O "$A" ] || printf 'artifacts_owner=%s\\n' "$(stat -c %U -- "$A")"
  if [ -w "$A" ]; then echo artifacts=ok; else echo artifacts=not-writable; fi
elif [ -e "$A" ]; then echo artifacts=not-a-folder
else echo artifacts=missing; fi
`,
  keys: {
    artifacts: (f, v) => {
      f.artifactsDir = v;
    },
    artifacts_real: (f, v) => {
      f.artifactsReal = v;
    },
    home_real: (f, v) => {
      f.homeReal = v;
    },
    artifacts_owner: (f, v) => {
      f.artifactsOwner = v;
    }
  }
};

// src/plan/probe/files.ts
var HASHED = ["launcher", "secrets", "authIni", "pgRootCert"];
function fileOf(facts, path) {
  const name = HASHED.find((n) => n !== "secrets" && path.endsWith(`/${VM_FILES[n]}`)) ?? "secrets";
  return facts.files[name];
}
var filesPart = {
  name: "files",
  script: (input) => `
for f in "$HOME"/*.provision-* "$HOME"/.*.provision-*; do
  case "\${f##*.provision-}" in [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]) [ -f "$f" ] && [ ! -L "$f" ] && printf 'leftover_upload=%s\\n' "$f";; esac
done
# One sha256sum ("HASH  PATH" lines) and one stat for all four files (launcher, secrets, auth configuration,
# the database's root certificate), each silent about a missing file; the parser tells them apart by name.
set -- ${HASHED.map(homeFile).join(" ")}
sha256sum "$@" 2>/dev/null
stat -c 'file_stat=%a %U %n' "$@" 2>/dev/null${input.readFlaskSecretKey ? `
[ -r ${homeFile("secrets")} ] && while IFS= read -r l; do case "$l" in MLFLOW_FLASK_SERVER_SECRET_KEY=*) echo "flask_secret_key=\${l#*=}";; esac; done < ${homeFile("secrets")}` : ""}
`,
  line: (f, line) => {
    const sha = /^([0-9a-f]{64}) [ *](.*)$/.exec(line);
    if (sha) fileOf(f, sha[2]).sha256 = sha[1];
    return Boolean(sha);
  },
  keys: {
    leftover_upload: (f, _v, raw) => {
      f.leftoverUploads.push(raw);
    },
    file_stat: (f, v) => {
      const [mode, owner, ...path] = v.split(" ");
      const file = fileOf(f, path.join(" "));
      file.mode = parseInt(mode ?? "", 8);
      if (owner) file.owner = owner;
    },
    flask_secret_key: (f, v) => {
      if (/^[0-9a-f]{32,128}$/.test(v)) f.flaskSecretKey = new Secret(v);
    }
  }
};

// src/plan/probe/packages.ts
var REQUIRED_PACKAGES = ["python3", "python3-pip", "python3-venv", "postgresql-client"];
var packagesPart = {
  name: "packages",
  script: () => `
# Required packages and dpkg's health from its status file. Packages left unpacked or half-configured,
# or journal files in updates/ (apt then refuses: "dpkg was interrupted"), mean an interrupted dpkg run.
awk -v want=${shq(REQUIRED_PACKAGES.join(" "))} '
  /^Package: / { p = $2 }
  /^Status: / { if ($NF == "installed") ok[p] = 1; else if ($NF ~ /^(half-installed|unpacked|half-configured|triggers-awaited|triggers-pending)$/) bad = 1 }
  END { n = split(want, w, " "); for (i = 1; i <= n; i++) if (!(w[i] in ok)) print "missing_package=" w[i]; if (bad) print "dpkg_interrupted=1" }
' /var/lib/dpkg/status 2>/dev/null
for j in /var/lib/dpkg/updates/[0-9]*; do [ -e "$j" ] && { echo dpkg_interrupted=1; break; }; done
command -v cloud-init >/dev/null 2>&1 && echo cloud_init=1
`,
  keys: {
    missing_package: (f, v) => {
      f.missingPackages.push(v);
    },
    dpkg_interrupted: (f) => {
      f.dpkgInterrupted = true;
    },
    cloud_init: (f) => {
      f.cloudInit = true;
    }
  }
};

// src/plan/server-process.ts
var SERVER_PROCESS_FUNCTIONS = [
  'start_ticks() { ticks=; local st; [ -r "/proc/$1/stat" ] && read -r st < "/proc/$1/stat" || return 1; st=${st##*) }; set -- $st; ticks=${20}; [ -n "$ticks" ]; }',
  'recorded_server_alive() { pid= start= fp= salt=; [ -f "$1" ] && read -r pid start fp salt < "$1" && [ -n "$pid" ] && [ -n "$start" ] && start_ticks "$pid" && [ "$ticks" = "$start" ]; }'
].join("\n");

// src/plan/probe/server.ts
var serverPart = {
  name: "server",
  sets: ["sp"],
  script: () => `
me=\${UID:-$(id -u)}
sp=
${SERVER_PROCESS_FUNCTIONS}
if recorded_server_alive ${homeFile("pidFile")}; then
  echo "server_pid=$pid"; echo "server_fingerprint=$fp"; echo "server_fingerprint_salt=$salt"; sp=$pid
fi
# Under systemd, the unit's main process (the supervisor part's ump) is the server.
[ -n "$ump" ] && sp=$ump
# Listeners in the live server's own process group are that server (its uvicorn or gunicorn workers), as
# on every healthy rerun: only other listeners need the process table to be told apart.
others=
R=$S
while :; do
  case "$R" in *pid=*) ;; *) break;; esac
  R=\${R#*pid=}; p=\${R%%[!0-9]*}; g=
  [ -n "$sp" ] && [ -r "/proc/$p/stat" ] && { read -r g < "/proc/$p/stat"; g=\${g##*) }; set -- $g; g=$3; }
  [ -n "$sp" ] && [ "$g" = "$sp" ] || others=1
done
# Each other listener: pid, process group, owner, whether it is an MLflow server from our venv, and its
# command line. A group is ours when every process in it is owned by us and runs from $V/bin or was started,
# at any depth, by such a process (the server's workers, and whatever they start): a group holding anything
# else (e.g. the shell of a user who started mlflow by hand) is never stopped.
case "$others" in 1)
  ps -eo pid=,ppid=,pgid=,uid=,user:32=,args= | awk -v S="$S" -v me="$me" -v v="$V/bin/" '
    BEGIN { while (match(S, /pid=[0-9]+/)) { want[substr(S, RSTART + 4, RLENGTH - 4)] = 1; S = substr(S, RSTART + RLENGTH) } }
    { pid = $1; pp[pid] = $2; g[pid] = $3; u[pid] = $4; name = $5; $1 = $2 = $3 = $4 = $5 = ""; args = substr($0, 6)
      venv[pid] = u[pid] == me && index(args, v) == 1
      if (pid in want) { ln[pid] = name; la[pid] = substr(args, 1, 160) } }
    END {
      for (p in g) {
        ok = 0
        for (q = p; !ok && (q in g) && u[q] == me && d[p]++ < 32; q = pp[q]) ok = venv[q]
        if (!ok) other[g[p]] = 1
      }
      for (p in ln) print "listener=" p " " g[p] " " ln[p] " " ((u[p] == me && !(g[p] in other)) ? 1 : 0) " " la[p] }'
esac
`,
  keys: {
    server_pid: (f, v) => {
      f.server.pid = Number(v);
      f.server.running = true;
    },
    server_fingerprint: (f, v) => {
      f.server.fingerprint = v;
    },
    server_fingerprint_salt: (f, v) => {
      if (/^[0-9a-f]{32}$/.test(v)) f.server.fingerprintSalt = v;
    },
    listener: (f, v) => {
      const [pid, pgid, user, ours, ...command] = v.split(" ");
      f.listeners.push({
        pid: Number(pid),
        ...pgid ? { pgid: Number(pgid) } : {},
        user: user ?? "",
        ours: ours === "1",
        command: command.join(" ")
      });
    }
  }
};

// src/plan/probe/supervisor.ts
var supervisorPart = {
  name: "supervisor",
  sets: ["ump"],
  script: () => `
ump=
[ -d /run/systemd/system ] && echo systemd=1
if [ -f ${UNIT_PATH} ]; then
  echo "unit_sha256=$(sha256sum < ${UNIT_PATH} | cut -d' ' -f1)"
  systemctl show ${UNIT_NAME} -p ActiveState -p UnitFileState -p MainPID -p NeedDaemonReload -p ExecMainStartTimestampMonotonic 2>/dev/null | sed 's/^/unit_/'
  ump=$(systemctl show ${UNIT_NAME} -p MainPID --value 2>/dev/null); [ "$ump" = 0 ] && ump=
  # Only this one variable is printed: the rest of that environment holds the secrets.
  [ -n "$ump" ] && [ -r "/proc/$ump/environ" ] && tr '\\0' '\\n' < "/proc/$ump/environ" | sed -n 's/^PROVISION_FINGERPRINT=/unit_fingerprint=/p'
  [ -f ${homeFile("pidFile")} ] && { read -r _ _ _ us < ${homeFile("pidFile")}; echo "unit_salt=$us"; }
fi
`,
  keys: {
    systemd: (f) => {
      f.supervisor.systemd = true;
    },
    unit_sha256: (f, v) => {
      f.supervisor.unit = { ...f.supervisor.unit, sha256: v };
    },
    unit_ActiveState: (f, v) => {
      f.supervisor.unit = { ...f.supervisor.unit, active: v };
    },
    unit_UnitFileState: (f, v) => {
      f.supervisor.unit = { ...f.supervisor.unit, enabled: v === "enabled" };
    },
    unit_MainPID: (f, v) => {
      if (Number(v) > 0) f.supervisor.unit = { ...f.supervisor.unit, mainPid: Number(v) };
    },
    unit_NeedDaemonReload: (f, v) => {
      f.supervisor.unit = { ...f.supervisor.unit, needsReload: v === "yes" };
    },
    unit_ExecMainStartTimestampMonotonic: (f, v) => {
      if (Number(v) > 0) f.supervisor.unit = { ...f.supervisor.unit, startedMonotonicUs: Number(v) };
    },
    unit_fingerprint: (f, v) => {
      f.supervisor.unit = { ...f.supervisor.unit, fingerprint: v };
    },
    unit_salt: (f, v) => {
      if (/^[0-9a-f]{32}$/.test(v)) f.supervisor.unit = { ...f.supervisor.unit, salt: v };
    }
  }
};

// src/render/caddyfile.ts
import { isIP as isIP2 } from "node:net";
var CADDY_UNIT = "caddy.service";
var CADDYFILE = "/etc/caddy/Caddyfile";
var PROXY_DIR = "/etc/caddy/provision";
var CADDYFILE_MARKER = "# Managed by provision";
var CADDY_ADMIN_PORT = 2019;
var PROXY_FILES = {
  acmeRoot: { name: "acme-ca.pem", mode: 420, owner: "root" },
  cert: { name: "cert.pem", mode: 420, owner: "root" },
  key: { name: "key.pem", mode: 384, owner: "caddy" }
};
var proxyFilePath = (role) => `${PROXY_DIR}/${PROXY_FILES[role].name}`;
function renderCaddyfile(site) {
  const global = [];
  if (site.acme?.directory) global.push(`acme_ca ${site.acme.directory}`);
  if (site.acme?.directoryRoot) global.push(`acme_ca_root ${proxyFilePath("acmeRoot")}`);
  if (site.acme?.email) global.push(`email ${site.acme.email}`);
  if (site.mode === "internal") global.push("skip_install_trust");
  const address = site.names.find((n) => isIP2(n.replace(/^\[(.*)\]$/, "$1")) !== 0);
  if (address) global.push(`default_sni ${address.replace(/^\[(.*)\]$/, "$1")}`);
  const tls2 = site.mode === "internal" ? ["tls internal"] : site.mode === "files" ? [`tls ${proxyFilePath("cert")} ${proxyFilePath("key")}`] : [];
  const lines = [
    `${CADDYFILE_MARKER} (--tls ${site.mode}); a rerun rewrites it. See docs/tls.md.`,
    ...global.length > 0 ? ["{", ...global.map((l) => `	${l}`), "}", ""] : [""],
    `${site.names.join(", ")} {`,
    ...tls2.map((l) => `	${l}`),
    '	header Strict-Transport-Security "max-age=31536000"',
    `	reverse_proxy 127.0.0.1:${site.upstreamPort}`,
    "}"
  ];
  return `${lines.join("\n")}
`;
}

// src/plan/probe/proxy.ts
var KNOWN_FILES = Object.values(PROXY_FILES).map((f) => f.name).join(" ");
var proxyPart = {
  name: "proxy",
  script: () => `
command -v caddy >/dev/null 2>&1 && echo proxy_installed=1
if [ -f ${CADDYFILE} ]; then
  echo "proxy_caddyfile=$(sha256sum < ${CADDYFILE} | cut -d' ' -f1)"
  head -n 1 ${CADDYFILE} | grep -q '^${CADDYFILE_MARKER}' && echo proxy_ours=1
fi
[ -d /run/systemd/system ] && command -v caddy >/dev/null 2>&1 && systemctl show ${CADDY_UNIT} -p ActiveState -p UnitFileState 2>/dev/null | sed 's/^/proxy_/'
if [ -d ${PROXY_DIR} ]; then
  echo proxy_dir=1
  sudo -n sh -c 'cd ${PROXY_DIR} && for f in ${KNOWN_FILES}; do [ -f "$f" ] && echo "proxy_file=$f $(sha256sum < "$f" | cut -d" " -f1) $(stat -c "%a %U" "$f")"; done' 2>/dev/null
fi
`,
  keys: {
    proxy_installed: (f) => {
      f.proxy.installed = true;
    },
    proxy_caddyfile: (f, v) => {
      f.proxy.caddyfileSha256 = v;
    },
    proxy_ours: (f) => {
      f.proxy.ours = true;
    },
    proxy_ActiveState: (f, v) => {
      f.proxy.active = v;
    },
    proxy_UnitFileState: (f, v) => {
      f.proxy.enabled = v === "enabled";
    },
    proxy_dir: (f) => {
      f.proxy.dir = true;
    },
    proxy_file: (f, v) => {
      const [name, sha2562, mode, owner] = v.split(" ");
      if (name && sha2562 && mode && owner) f.proxy.files[name] = { sha256: sha2562, mode: parseInt(mode, 8), owner };
    }
  }
};

// src/plan/probe/system.ts
var mb = (kb) => Math.floor(Number(kb) / 1024) || 0;
var systemPart = {
  name: "system",
  sets: ["S"],
  script: (input) => `
. /etc/os-release 2>/dev/null
echo "os_id=$ID"
echo "os_version=$VERSION_ID"
echo "os_pretty=$PRETTY_NAME"
echo "home=$HOME"
echo "user=\${USER:-$(id -un)}"
# One sudo call proves passwordless sudo and lists who listens on the MLflow port (ss -p needs root).
if S=$(sudo -n ss -ltnpH "sport = :${Number(input.mlflowPort)}" 2>/dev/null); then echo sudo=1; else echo sudo=0; S=; fi
set -- $(stat -f -c '%a %S' "$HOME")
echo "disk_free_kb=$(( $1 * $2 / 1024 ))"
awk '/^MemTotal:/ { print "mem_total_kb=" $2 }' /proc/meminfo 2>/dev/null
`,
  keys: {
    os_id: (f, v) => {
      f.osId = v;
    },
    os_version: (f, v) => {
      f.osVersion = v;
    },
    os_pretty: (f, v) => {
      f.osPretty = v;
    },
    home: (f, v) => {
      f.home = v;
    },
    user: (f, v) => {
      f.user = v;
    },
    sudo: (f, v) => {
      f.sudo = v === "1";
    },
    disk_free_kb: (f, v) => {
      f.diskFreeMb = mb(v);
    },
    mem_total_kb: (f, v) => {
      f.memTotalMb = mb(v);
    }
  }
};

// src/plan/probe/types.ts
function emptyFacts() {
  return {
    osId: "",
    osVersion: "",
    osPretty: "",
    sudo: false,
    home: "",
    user: "",
    diskFreeMb: 0,
    memTotalMb: 0,
    missingPackages: [],
    dpkgInterrupted: false,
    cloudInit: false,
    venvPython: false,
    mlflowImportable: false,
    driverImportable: false,
    artifactsDir: "missing",
    artifactsReal: "",
    homeReal: "",
    leftoverUploads: [],
    files: { launcher: {}, secrets: {}, authIni: {}, pgRootCert: {} },
    modules: [],
    server: { running: false },
    listeners: [],
    supervisor: { systemd: false },
    proxy: { installed: false, ours: false, dir: false, files: {} }
  };
}

// src/plan/probe/venv.ts
var FEATURE_MODULES = ["flask_wtf", "azure/storage/blob", "azure/identity"];
var venvPart = {
  name: "venv",
  script: () => `
# The venv's interpreter, without starting it: its symlink chain must end at an executable python3.N whose
# site-packages the venv has. An in-place upgrade of the system python (a release upgrade) leaves a venv
# whose interpreter no longer sees its packages. MLflow and the driver are read from site-packages:
# importing MLflow would take seconds.
SP=
if [ -x "$V/bin/python" ]; then
  py=$(readlink -f "$V/bin/python")
  case "\${py##*/}" in python3.*) [ -d "$V/lib/\${py##*/}/site-packages" ] && SP="$V/lib/\${py##*/}/site-packages";; esac
fi
if [ -n "$SP" ]; then
  echo venv_python=1
  for m in "$SP"/mlflow-*.dist-info/METADATA; do
    [ -f "$m" ] && while IFS= read -r l; do case "$l" in "Version: "*) echo "mlflow_version=\${l#Version: }"; break;; "") break;; esac; done < "$m"
  done
  if [ -f "$SP/mlflow/__init__.py" ] && [ -x "$V/bin/mlflow" ]; then echo mlflow_importable=1; else echo mlflow_importable=0; fi
  if [ -f "$SP/psycopg2/__init__.py" ]; then echo driver_importable=1; else echo driver_importable=0; fi
  for m in ${FEATURE_MODULES.map(shq).join(" ")}; do [ -f "$SP/$m/__init__.py" ] && echo "module=$m"; done
fi
`,
  keys: {
    venv_python: (f) => {
      f.venvPython = true;
    },
    mlflow_version: (f, v) => {
      f.mlflowVersion = v;
    },
    mlflow_importable: (f, v) => {
      f.mlflowImportable = v === "1";
    },
    driver_importable: (f, v) => {
      f.driverImportable = v === "1";
    },
    module: (f, v) => {
      f.modules.push(v.replace(/\//g, "."));
    }
  }
};

// src/plan/facts.ts
var PROBE_PARTS = [systemPart, packagesPart, venvPart, artifactsPart, filesPart, supervisorPart, serverPart, proxyPart];
function buildProbeScript(input) {
  return composeProbeScript(PROBE_PARTS, input);
}
function parseFacts(text) {
  const facts = emptyFacts();
  if (!readProbeOutput(text, PROBE_PARTS, facts)) throw new Error("the VM's state could not be read (probe output incomplete)");
  const unit = facts.supervisor.unit;
  if (unit?.active === "active" && unit.mainPid) {
    facts.server = {
      running: true,
      pid: unit.mainPid,
      ...unit.fingerprint ? { fingerprint: unit.fingerprint } : {},
      ...unit.salt ? { fingerprintSalt: unit.salt } : {}
    };
  }
  return facts;
}

// src/verdicts/status.ts
function databaseSummary(report, db) {
  return `PostgreSQL ${report.serverVersion} at ${db.host}:${db.port} reachable from the VM, ${report.transport}, login ok`;
}
function judgeRunningServer(a) {
  const problems = [];
  if (a.health.status !== 200) problems.push(`/health answers ${a.health.status ? `HTTP ${a.health.status}` : `nothing (${a.health.body})`}.`);
  const runningVersion = a.version.status === 200 ? a.version.body.trim() : void 0;
  if (a.search.status !== 200) {
    const why = a.search.status === 401 ? ": the admin credentials in the secrets file are refused" : a.search.status === 403 ? ": the server refuses its own public Host header" : a.search.status === 0 ? ` (${a.search.body})` : "";
    problems.push(`An experiments search answers ${a.search.status ? `HTTP ${a.search.status}` : "nothing"}${why}.`);
  }
  if (runningVersion && a.installedVersion && runningVersion !== a.installedVersion) {
    problems.push(`The server runs MLflow ${runningVersion} but ${a.installedVersion} is installed: rerun provision to restart it.`);
  }
  return { problems, ...runningVersion ? { runningVersion } : {} };
}
var CERT_WARN_DAYS = 14;
function judgeCertificate(a) {
  if (a.error) return [`The certificate served for ${a.name} does not verify (${a.error}).`];
  if (!a.validTo) return [];
  const end = new Date(a.validTo).getTime();
  const left = end - a.now.getTime();
  const day = a.validTo.slice(0, 10);
  if (left <= 0) return [`The certificate for ${a.name} expired on ${day}.`];
  if (a.mode === "files") {
    const days = Math.floor(left / 864e5);
    return days < CERT_WARN_DAYS ? [`The certificate for ${a.name} expires in ${days} day${days === 1 ? "" : "s"} (${day}): rerun provision with a renewed --tls-cert and --tls-key.`] : [];
  }
  const life = a.validFrom ? end - new Date(a.validFrom).getTime() : 0;
  if (life <= 0 || left >= life / 6) return [];
  return [
    `The certificate for ${a.name} expires on ${a.validTo.replace("T", " ").slice(0, 16)} UTC and Caddy has not renewed it: see sudo journalctl -u caddy${a.mode === "acme" ? " (port 80 or 443 closed, or the name's DNS changed)" : ""}.`
  ];
}

// src/checks/caddy.ts
async function caddyInternalRoot(get) {
  const res = await get(CADDY_ADMIN_PORT, { path: "/pki/ca/local", hostHeader: `localhost:${CADDY_ADMIN_PORT}`, timeoutMs: 5e3 }).catch(() => void 0);
  if (res?.status !== 200) return void 0;
  try {
    const root = JSON.parse(res.body).root_certificate;
    return root?.includes("-----BEGIN CERTIFICATE-----") ? root : void 0;
  } catch {
    return void 0;
  }
}

export {
  loadDatabaseDriver,
  checkDatabase,
  DatabaseMissing,
  createDatabase,
  httpOnVm,
  httpDirect,
  Remote,
  urlHost,
  remoteLayout,
  autoWorkers,
  renderLauncher,
  renderSecretsEnv,
  sha256,
  renderAuthIni,
  configFingerprint,
  newFingerprintSalt,
  parseSecretsEnv,
  CADDY_UNIT,
  CADDYFILE,
  PROXY_DIR,
  CADDYFILE_MARKER,
  PROXY_FILES,
  proxyFilePath,
  renderCaddyfile,
  homeFile,
  composeProbeScript,
  readProbeOutput,
  REQUIRED_PACKAGES,
  SERVER_PROCESS_FUNCTIONS,
  PROBE_PARTS,
  buildProbeScript,
  parseFacts,
  databaseSummary,
  judgeRunningServer,
  judgeCertificate,
  caddyInternalRoot
};
