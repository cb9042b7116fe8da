import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  maskSecrets
} from "./chunk-AQLCKWIG.js";

// src/util/errors.ts
var EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 };
var UsageError = class extends Error {
  exitCode = EXIT.usage;
};
var Cancelled = class extends UsageError {
  exitCode = EXIT.interrupted;
};
var StepError = class extends Error {
  exitCode = EXIT.failed;
  constructor(message) {
    super(maskSecrets(message));
    this.name = new.target.name;
  }
};
var Interrupted = class extends StepError {
  exitCode = EXIT.interrupted;
};
var HostUnreachable = class extends StepError {
};
var ConnectionDropped = class extends StepError {
};
var ForwardTimeout = class extends StepError {
  code = "FORWARD_TIMEOUT";
};
var ProbeIncomplete = class extends StepError {
};
function errorMessage(error) {
  if (error instanceof Error) return maskSecrets(error.message);
  return maskSecrets(String(error));
}

// src/util/shell-quote.ts
function shq(value) {
  const s = String(value);
  if (s.includes("\0")) throw new Error("a shell word cannot hold a NUL character");
  if (s !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
function cmd(...tokens) {
  return tokens.map((t) => t instanceof RawToken ? t.text : shq(t)).join(" ");
}
var RawToken = class {
  constructor(text) {
    this.text = text;
  }
  text;
};

// src/openssh/known-hosts.ts
import { createHash, createHmac } from "node:crypto";
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { dirname } from "node:path";
function knownHostsName(host, port) {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}
function parseKnownHosts(text) {
  const entries = [];
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#")) return;
    const fields = line.split(/\s+/);
    let marker = "";
    if (fields[0]?.startsWith("@")) {
      const m = fields.shift();
      if (m !== "@cert-authority" && m !== "@revoked") return;
      marker = m;
    }
    const [patterns, keyType, keyBase64] = fields;
    if (!patterns || !keyType || !keyBase64) return;
    entries.push({ line: index + 1, marker, patterns, keyType, keyBase64 });
  });
  return entries;
}
function globToRegExp(pattern) {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "i");
}
function hashedMatches(pattern, name) {
  const [, magic, salt, hash] = pattern.split("|");
  if (magic !== "1" || !salt || !hash) return false;
  const digest = createHmac("sha1", Buffer.from(salt, "base64")).update(name.toLowerCase()).digest("base64");
  return digest === hash;
}
function patternsMatch(patterns, name) {
  if (patterns.startsWith("|")) return hashedMatches(patterns, name);
  let matched = false;
  for (const p of patterns.split(",")) {
    const negated = p.startsWith("!");
    const pattern = negated ? p.slice(1) : p;
    if (globToRegExp(pattern).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}
function keyTypeOf(keyBlob) {
  const len = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + len).toString("ascii");
}
function fingerprint(keyBlob) {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}
function verifyHostKey(entries, name, keyBlob) {
  const type = keyTypeOf(keyBlob);
  const b64 = keyBlob.toString("base64");
  const where = (e) => ({ line: e.line, ...e.file !== void 0 ? { file: e.file } : {} });
  const forHost = entries.filter((e) => e.marker !== "@cert-authority" && patternsMatch(e.patterns, name));
  const revoked = entries.find((e) => e.marker === "@revoked" && e.keyBase64 === b64);
  if (revoked) return { status: "revoked", ...where(revoked) };
  const plain = forHost.filter((e) => e.marker === "");
  const same = plain.find((e) => e.keyType === type && e.keyBase64 === b64);
  if (same) return { status: "match", ...where(same) };
  const other = plain[0];
  if (other) return { status: "changed", ...where(other), knownType: other.keyType };
  return { status: "unknown" };
}
function knownKeyTypes(entries, name) {
  return [...new Set(entries.filter((e) => e.marker === "" && patternsMatch(e.patterns, name)).map((e) => e.keyType))];
}
function appendKnownHost(path, name, keyBlob) {
  mkdirSync(dirname(path), { recursive: true, mode: 448 });
  let prefix = "";
  if (existsSync(path) && statSync(path).size > 0) {
    const fd = openSync(path, "r");
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, statSync(path).size - 1);
    closeSync(fd);
    if (last.toString() !== "\n") prefix = "\n";
  }
  appendFileSync(path, `${prefix}${name.toLowerCase()} ${keyTypeOf(keyBlob)} ${keyBlob.toString("base64")}
`, { mode: 420 });
}
var DEFAULT_GLOBAL_KNOWN_HOSTS = ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"];
function loadKnownHosts(files) {
  const entries = [];
  [...files.userFiles, ...files.globalFiles].forEach((file, index) => {
    let text;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      const code = err.code;
      if (code === "ENOENT" || code === "ENOTDIR" || index > 0) return;
      throw new Error(
        `Cannot read ${file} (${code ?? "error"}) to check the host key of ${files.name}: fix its permissions or give another file with --known-hosts.`,
        { cause: err }
      );
    }
    for (const e of parseKnownHosts(text)) entries.push({ ...e, file });
  });
  return entries;
}
var HostKeyVerifier = class {
  constructor(files, policy, onNewHostKey) {
    this.files = files;
    this.policy = policy;
    this.onNewHostKey = onNewHostKey;
  }
  files;
  policy;
  onNewHostKey;
  /** Why the key was refused, one sentence (set when `verify` returns false). */
  problem;
  accepted;
  /** Key types known for the host, so the handshake can prefer them (as OpenSSH does). */
  knownKeyTypes() {
    try {
      return knownKeyTypes(loadKnownHosts(this.files), this.files.name);
    } catch {
      return [];
    }
  }
  verify(key) {
    const { name } = this.files;
    const fp = fingerprint(key);
    if (this.accepted) {
      if (this.accepted.equals(key)) return true;
      this.problem = `${name} presented another host key (${fp}) when the SSH connection re-keyed than the one it was verified with (${fingerprint(this.accepted)}); a server does not change its key within a connection: this may be an attack, so the connection was closed.`;
      return false;
    }
    let entries;
    try {
      entries = loadKnownHosts(this.files);
    } catch (err) {
      this.problem = err.message;
      return false;
    }
    const verdict = verifyHostKey(entries, name, key);
    if (verdict.status === "match") {
      this.accepted = key;
      return true;
    }
    if (verdict.status === "revoked") {
      this.problem = `The host key of ${name} (${fp}) is marked @revoked in ${verdict.file} line ${verdict.line}; refusing to connect.`;
      return false;
    }
    if (verdict.status === "changed") {
      const global = verdict.file !== void 0 && !this.files.userFiles.includes(verdict.file);
      this.problem = `The host key of ${name} has CHANGED (now ${fp}; ${verdict.file} line ${verdict.line} holds another ${verdict.knownType} key). This may be a reinstalled VM or an attack. If you expect it, run: ${global ? "sudo " : ""}ssh-keygen -R ${shq(name)} -f ${shq(verdict.file ?? "")} and rerun.`;
      return false;
    }
    const record = this.files.userFiles[0];
    const where = [.../* @__PURE__ */ new Set([...this.files.userFiles, ...this.files.globalFiles.filter((f) => existsSync(f))])].join(", ") || "any known_hosts file";
    if (this.policy === "strict") {
      this.problem = `${name} is not in ${where} (key ${fp}) and --host-key-policy is strict: verify the fingerprint and add it (e.g. ssh-keyscan), or use --host-key-policy accept-new.`;
      return false;
    }
    if (record === void 0) {
      this.problem = `${name} is not in ${where} (key ${fp}) and the ssh config says UserKnownHostsFile none, so its key cannot be recorded: name a file there or pass --known-hosts.`;
      return false;
    }
    try {
      appendKnownHost(record, name, key);
    } catch (err) {
      const code = err.code ?? err.message;
      this.problem = `The new host key of ${name} (${fp}) could not be recorded in ${record} (${code}): fix the file's permissions or give another file with --known-hosts.`;
      return false;
    }
    this.accepted = key;
    this.onNewHostKey?.(fp, keyTypeOf(key), record);
    return true;
  }
};

export {
  EXIT,
  UsageError,
  Cancelled,
  StepError,
  Interrupted,
  HostUnreachable,
  ConnectionDropped,
  ForwardTimeout,
  ProbeIncomplete,
  errorMessage,
  shq,
  cmd,
  knownHostsName,
  patternsMatch,
  DEFAULT_GLOBAL_KNOWN_HOSTS,
  HostKeyVerifier
};
