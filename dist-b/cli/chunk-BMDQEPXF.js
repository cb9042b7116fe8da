import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  requireSafeArtifactsDir
} from "./chunk-AKH7ILIC.js";
import {
  Cancelled,
  DEFAULT_GLOBAL_KNOWN_HOSTS,
  UsageError,
  knownHostsName,
  patternsMatch
} from "./chunk-DOFNX5A2.js";
import {
  OPTIONS
} from "./chunk-XUGTEQOO.js";
import {
  AZURE_PG_ROOTS,
  SSL_MODES,
  Secret
} from "./chunk-AQLCKWIG.js";

// src/config/validate.ts
import { isIP } from "node:net";
var HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_-]{1,63})*\.?$/;
function shown(value) {
  return JSON.stringify(String(value)).replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`
  );
}
function hasZoneId(value) {
  const m = /^\[?([^%\]]*)%[^\]]*\]?$/.exec(value.trim());
  return m !== null && isIP(m[1]) === 6;
}
function zoneIdProblem(value, vm) {
  return `${shown(value)} has an IPv6 zone id, which is not supported: use a global address or ${vm ? "a ~/.ssh/config alias" : "a DNS name"}`;
}
function isValidHostName(value) {
  if (value.includes("%")) return false;
  return isIP(value) !== 0 || HOSTNAME.test(value);
}
function hostProblem(value, vm = true) {
  if (hasZoneId(value)) return zoneIdProblem(value, vm);
  if (!isValidHostName(value)) return `${shown(value)} is not a valid host name or IP address`;
  return void 0;
}
function requireHost(value, what, vm = true) {
  const v = value.trim();
  const problem = hostProblem(v, vm);
  if (problem) throw new UsageError(`${what} ${problem}.`);
  return v;
}
var USER_NAME = /^[a-z_][a-z0-9_.-]*\$?$/i;
var MAX_USER_NAME = 32;
function userNameProblem(value) {
  if (USER_NAME.test(value) && value.length <= MAX_USER_NAME) return void 0;
  return `${shown(value)} is not a valid SSH user name (at most ${MAX_USER_NAME} letters, digits, _, . or -, starting with a letter or _)`;
}
function requireUserName(value, what) {
  const problem = userNameProblem(value);
  if (problem) throw new UsageError(`${what} ${problem}.`);
  return value;
}
var PORT_RULE = { min: 1, max: 65535 };
function requireNumber(value, what, rule) {
  const text = typeof value === "number" ? String(value) : String(value).trim();
  const form = rule.decimals ? /^[0-9]+(\.[0-9]+)?$/ : /^[0-9]+$/;
  const n = typeof value === "number" ? value : form.test(text) ? Number(text) : Number.NaN;
  const ok = Number.isFinite(n) && (rule.decimals || Number.isInteger(n)) && n >= rule.min && n <= rule.max;
  if (!ok) {
    const kind = rule.decimals ? `a number${rule.unit ? ` of ${rule.unit}` : ""}` : "a whole number";
    throw new UsageError(`${what} must be ${kind} from ${rule.min} to ${rule.max}, not ${shown(Array.isArray(value) ? value.join(" ") : text)}.`);
  }
  return n;
}
function requirePort(value, flag) {
  return requireNumber(value, `--${flag}`, PORT_RULE);
}
function requireAbsolutePath(value, flag) {
  if (!value.startsWith("/")) {
    throw new UsageError(`--${flag} must be an absolute path on the VM (starting with /), not ${shown(value)}.`);
  }
  if (new RegExp("\\p{Cc}", "u").test(value)) {
    throw new UsageError(`--${flag} ${shown(value)} holds a line break or control character: give the path on one line, as it is on the VM.`);
  }
  return value.replace(/\/+$/, "") || "/";
}
function parseAllowedHosts(value) {
  const entries = value.split(",").map((e) => e.trim()).filter((e) => e !== "");
  if (entries.length === 0) throw new UsageError('--allowed-hosts must list at least one host, e.g. "mlflow.example.com,10.0.0.4:5000".');
  for (const entry of entries) {
    if (entry === "*") continue;
    if (hasZoneId(entry) || hasZoneId(entry.replace(/^(\[[^\]]*\]):\d*$/, "$1"))) {
      throw new UsageError(`--allowed-hosts entry ${zoneIdProblem(entry, false)}.`);
    }
    const m = /^(\[[0-9A-Fa-f:.]+\]|[^:\s]+)(?::(\d{1,5}))?$/.exec(entry);
    const host = m?.[1]?.startsWith("[") ? m[1].slice(1, -1) : m?.[1];
    const port = m?.[2];
    const hostOk = host !== void 0 && (isIP(host) !== 0 || /^(\*\.)?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(host) || host === "*");
    const portOk = port === void 0 || Number(port) >= 1 && Number(port) <= 65535;
    if (!hostOk || !portOk) {
      throw new UsageError(
        `--allowed-hosts entry ${shown(entry)} is not a host, host:port or *; give a comma-separated list such as "mlflow.example.com,10.0.0.4:5000".`
      );
    }
  }
  return entries;
}
function requireMlflowVersion(value) {
  if (!/^[0-9]+(\.[0-9]+)*([a-z]+[0-9]*)?(\.post[0-9]+|\.dev[0-9]+)?$/.test(value)) {
    throw new UsageError(`--mlflow-version ${shown(value)} is not a version number such as 3.16.1.`);
  }
  return value;
}
function requireSqlName(value, flag) {
  if (value === "") throw new UsageError(`--${flag} must not be empty.`);
  if (new RegExp("\\p{Cc}", "u").test(value)) throw new UsageError(`--${flag} ${shown(value)} holds a line break or control character: give the name on one line.`);
  return value;
}
function parseWasbsUri(value) {
  const v = value.trim().replace(/\/+$/, "");
  const m = /^wasbs:\/\/([^@/]+)@([^./]+)\.blob\.core\.windows\.net((?:\/[^\s?#\p{Cc}]*)?)$/u.exec(v);
  const container = m?.[1] ?? "";
  const account = m?.[2] ?? "";
  const containerOk = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/.test(container);
  const accountOk = /^[a-z0-9]{3,24}$/.test(account);
  if (!m || !containerOk || !accountOk) {
    throw new UsageError(
      `--artifacts-destination ${shown(value)} is not an Azure Blob URI: use wasbs://<container>@<account>.blob.core.windows.net/<path> (container: 3-63 lowercase letters, digits and hyphens; account: 3-24 lowercase letters and digits).`
    );
  }
  return { uri: v, container, account, path: m[3] ?? "" };
}
var SUPERVISORS = ["nohup", "systemd"];
function requireSupervisor(value, what) {
  if (SUPERVISORS.includes(value)) return value;
  throw new UsageError(`--${what} must be nohup or systemd, not ${shown(value)}.`);
}
function requirePublicName(value) {
  const name = value.replace(/^\[(.*)\]$/, "$1");
  if (hasZoneId(name)) throw new UsageError(`--public-name ${zoneIdProblem(name, false)}.`);
  if (!isValidHostName(name) || /^https?:/i.test(value)) {
    throw new UsageError(`--public-name ${shown(value)} is not a host name or IP address: give the name alone, e.g. mlflow.example.com (no scheme, no port).`);
  }
  return name.toLowerCase();
}
function parsePublicNames(value) {
  return [
    ...new Set(
      value.split(",").map((n) => n.trim()).filter((n) => n !== "").map(requirePublicName)
    )
  ];
}

// src/config/settings.ts
function camel(name) {
  return name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
}
function fromEnv(spec, env) {
  for (const name of spec.env) {
    const raw = env[name];
    if (raw === void 0 || raw === "") continue;
    if (spec.type === "boolean") {
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new UsageError(`${name}="${raw}" is not a boolean; use true or false.`);
    }
    if (spec.array) return raw.split(/[\s,]+/).filter((h) => h !== "");
    return raw;
  }
  return void 0;
}
function numberOf(spec, value, what) {
  return requireNumber(value, what, spec.range ?? { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
}
function readSettings(argv, env, table = OPTIONS) {
  const settings = /* @__PURE__ */ new Map();
  for (const spec of table) {
    const flag = argv[spec.name] ?? argv[camel(spec.name)];
    const given = Array.isArray(flag) ? flag.length > 0 : flag !== void 0;
    if (given) {
      settings.set(spec.name, { value: spec.type === "number" ? numberOf(spec, flag, `--${spec.name}`) : flag, source: "flag" });
      continue;
    }
    const value = fromEnv(spec, env);
    if (value === void 0) continue;
    const variable = spec.env.find((name) => env[name] !== void 0 && env[name] !== "");
    settings.set(spec.name, { value: spec.type === "number" ? numberOf(spec, value, variable) : value, source: "env" });
  }
  return settings;
}
function getString(settings, name) {
  const v = settings.get(name)?.value;
  if (v === void 0 || v === null) return void 0;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return Array.isArray(v) ? v.join(",") : JSON.stringify(v);
}
function getBool(settings, name) {
  return settings.get(name)?.value === true;
}

// src/config/config.ts
import { readFileSync as readFileSync2 } from "node:fs";
import { homedir as homedir4 } from "node:os";
import { join as join4 } from "node:path";

// src/config/targets.ts
import { homedir as homedir3 } from "node:os";
import { join as join3 } from "node:path";

// src/openssh/ssh-config.ts
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { homedir, hostname, userInfo } from "node:os";
import { isAbsolute, join } from "node:path";
var MAX_INCLUDE_DEPTH = 16;
function splitArgs(value) {
  const args = [];
  let current = "";
  let quote;
  let inWord = false;
  for (const ch of value) {
    if (quote) {
      if (ch === quote) quote = void 0;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) args.push(current);
      current = "";
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) args.push(current);
  return args;
}
function expandTilde(p, home) {
  return p.replace(/^~(?=\/|$)/, home);
}
function globSegmentRegExp(segment) {
  let body = "";
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i];
    if (ch === "*") body += "[^/]*";
    else if (ch === "?") body += "[^/]";
    else if (ch === "[") {
      const end = segment.indexOf("]", i + 2);
      if (end < 0) {
        body += "\\[";
        continue;
      }
      let set = segment.slice(i + 1, end);
      if (set.startsWith("!")) set = `^${set.slice(1)}`;
      body += `[${set.replace(/\\/g, "\\\\")}]`;
      i = end;
    } else body += ch.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${body}$`);
}
function globPaths(pattern) {
  if (!/[*?[]/.test(pattern)) {
    try {
      statSync(pattern);
      return [pattern];
    } catch {
      return [];
    }
  }
  const absolute = pattern.startsWith("/");
  const segments = pattern.split("/").filter((s) => s !== "");
  let paths = [absolute ? "/" : "."];
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    const next = [];
    for (const base of paths) {
      if (!/[*?[]/.test(segment)) {
        const p = join(base, segment);
        try {
          const st = statSync(p);
          if (last || st.isDirectory()) next.push(p);
        } catch {
        }
        continue;
      }
      let names;
      try {
        names = readdirSync(base);
      } catch {
        continue;
      }
      const re = globSegmentRegExp(segment);
      for (const name of names.sort()) {
        if (name.startsWith(".") && !segment.startsWith(".")) continue;
        if (!re.test(name)) continue;
        const p = join(base, name);
        if (!last) {
          try {
            if (!statSync(p).isDirectory()) continue;
          } catch {
            continue;
          }
        }
        next.push(p);
      }
    }
    paths = next;
  }
  return absolute ? paths : paths.map((p) => p.startsWith("./") ? p.slice(2) : p);
}
function collect(text, file, ctx, depth, startActive, neverMatch, out) {
  if (depth > MAX_INCLUDE_DEPTH) {
    throw new UsageError(`${file} is included more than ${MAX_INCLUDE_DEPTH} levels deep in the ssh config (an Include loop?): fix the Include lines.`);
  }
  let active = startActive;
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#")) return;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) return;
    const key = m[1].toLowerCase();
    const args = splitArgs(m[2].trim());
    const where = `${file} line ${index + 1}`;
    if (key === "host") {
      active = !neverMatch && patternsMatch(args.join(","), ctx.alias);
      return;
    }
    if (key === "match") {
      active = false;
      return;
    }
    if (key === "include") {
      for (const arg of args) {
        for (const included of includedFiles(arg, where, ctx)) {
          let includedText;
          try {
            includedText = ctx.readFile(included);
          } catch (err) {
            const code = err.code;
            if (code === "ENOENT") continue;
            throw new UsageError(`Cannot read ${included} (${code ?? "error"}), included by ${where}: fix its permissions or the Include line.`);
          }
          collect(includedText, included, ctx, depth + 1, active, neverMatch || !active, out);
        }
      }
      return;
    }
    if (active) out.push({ key, args, where });
  });
}
function includedFiles(arg, where, ctx) {
  const expanded = expandTokens(
    arg,
    {
      home: ctx.home,
      host: ctx.alias,
      hostArg: ctx.alias,
      keyAlias: ctx.alias,
      port: 22,
      remoteUser: userInfo().username
    },
    { what: `Include ${arg}`, where, dollar: true }
  );
  const path = expanded.startsWith("~") || isAbsolute(expanded) ? expandTilde(expanded, ctx.home) : join(ctx.home, ".ssh", expanded);
  return globPaths(path);
}
function lookupSshConfig(text, alias, options = {}) {
  const ctx = { alias, home: options.home ?? homedir(), readFile: options.readFile ?? ((p) => readFileSync(p, "utf8")) };
  const collected = [];
  collect(text, options.file ?? "ssh config", ctx, 0, true, false, collected);
  const result = { identityFiles: [], origins: {} };
  const rawIdentities = [];
  for (const { key, args, where } of collected) {
    const value = args.join(" ");
    if (key === "hostname" && result.hostName === void 0) result.hostName = value;
    else if (key === "user" && result.user === void 0) result.user = value;
    else if (key === "port" && result.port === void 0) result.port = Number(value);
    else if (key === "identityfile") rawIdentities.push(value);
    else if (key === "hostkeyalias" && result.hostKeyAlias === void 0 && args[0] !== void 0) {
      result.hostKeyAlias = args[0];
      result.origins.hostkeyalias = where;
    } else if (key === "userknownhostsfile" && result.userKnownHostsFiles === void 0 && args.length > 0) {
      result.userKnownHostsFiles = knownHostsArgs(args, "UserKnownHostsFile", where);
      result.origins.userknownhostsfile = where;
    } else if (key === "globalknownhostsfile" && result.globalKnownHostsFiles === void 0 && args.length > 0) {
      result.globalKnownHostsFiles = knownHostsArgs(args, "GlobalKnownHostsFile", where);
      result.origins.globalknownhostsfile = where;
    }
  }
  if (result.hostName) result.hostName = result.hostName.replace(/%h/g, alias);
  result.identityFiles = rawIdentities.map((p) => expandPath(p, alias, result.hostName ?? alias, result.user));
  return result;
}
function knownHostsArgs(args, keyword, where) {
  if (args.some((a) => a.toLowerCase() === "none")) {
    if (args.length > 1) throw new UsageError(`${where}: ${keyword} "none" must be the only argument; fix that line.`);
    return [];
  }
  return args;
}
function expandPath(p, alias, hostName, user) {
  return p.replace(/^~(?=\/|$)/, homedir()).replace(/%d/g, homedir()).replace(/%h/g, hostName).replace(/%n/g, alias).replace(/%r/g, user ?? "").replace(/%%/g, "%");
}
function expandTokens(value, t, how) {
  let text = value;
  if (how.dollar) {
    text = text.replace(/\$\{([^}]*)\}/g, (_, name) => {
      const v = process.env[name];
      if (v === void 0) throw new UsageError(`${how.where}: ${how.what} uses \${${name}}, which is not set in the environment; set it or fix that line.`);
      return v;
    });
  }
  const thisHost = hostname();
  const values = {
    "%": () => "%",
    C: () => createHash("sha1").update(`${thisHost}${t.host}${t.port}${t.remoteUser}`).digest("hex"),
    d: () => t.home,
    h: () => t.host,
    i: () => String(process.getuid?.() ?? ""),
    j: () => "",
    k: () => t.keyAlias,
    L: () => thisHost.split(".")[0],
    l: () => thisHost,
    n: () => t.hostArg,
    p: () => String(t.port),
    r: () => t.remoteUser,
    u: () => userInfo().username
  };
  return text.replace(/%(.?)/g, (_, token) => {
    const fn = values[token];
    if (!fn) throw new UsageError(`${how.where}: ${how.what} uses the unknown token %${token}; write %% for a literal %.`);
    return fn();
  });
}
function readSshConfig(path, alias) {
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = err.code;
    if (code === "ENOENT" || code === "ENOTDIR") return { identityFiles: [], origins: {} };
    throw new UsageError(`Cannot read the ssh config ${path} (${code ?? "error"}): fix its permissions or pass another file with --ssh-config.`);
  }
  return lookupSshConfig(text, alias, { file: path });
}

// src/config/host-keys.ts
import { accessSync, constants, statSync as statSync2 } from "node:fs";
import { homedir as homedir2 } from "node:os";
import { dirname, join as join2 } from "node:path";
function expandHome(p) {
  return p.replace(/^~(?=\/|$)/, homedir2());
}
function defaultUserKnownHosts() {
  return [join2(homedir2(), ".ssh", "known_hosts"), join2(homedir2(), ".ssh", "known_hosts2")];
}
function knownHostsOverride(settings) {
  const given = getString(settings, "known-hosts");
  if (given === void 0) return void 0;
  const path = expandHome(given);
  return settings.get("known-hosts")?.source === "env" ? { path, subject: `PROVISION_KNOWN_HOSTS=${given}`, other: "set PROVISION_KNOWN_HOSTS to another file" } : { path, subject: `--known-hosts ${given}`, other: "give --known-hosts another file" };
}
function knownHostsFor(target, fromConfig, settings) {
  const alias = fromConfig.hostKeyAlias?.toLowerCase();
  const name = alias ?? knownHostsName(target.address, target.port);
  const override = knownHostsOverride(settings);
  const policy = getString(settings, "host-key-policy") === "strict" ? "strict" : "accept-new";
  let userFiles;
  if (override) {
    userFiles = [override.path];
    checkKnownHostsFile(override.path, override.subject, override.other, policy);
  } else if (fromConfig.userKnownHostsFiles) {
    const where = fromConfig.origins.userknownhostsfile ?? "the ssh config";
    userFiles = fromConfig.userKnownHostsFiles.map(
      (f) => expandTokens(
        expandHome(f),
        {
          home: homedir2(),
          host: target.address.toLowerCase(),
          hostArg: target.label,
          keyAlias: alias ?? target.label,
          port: target.port,
          remoteUser: target.user
        },
        { what: `UserKnownHostsFile ${f}`, where, dollar: true }
      )
    );
    if (userFiles[0] !== void 0) {
      checkKnownHostsFile(userFiles[0], `UserKnownHostsFile ${userFiles[0]} (${where})`, "change that line or give --known-hosts another file", policy);
    }
  } else {
    userFiles = defaultUserKnownHosts();
    checkKnownHostsFile(userFiles[0], `The known_hosts file ${userFiles[0]}`, "give --known-hosts another file", policy);
  }
  const globalFiles = fromConfig.globalKnownHostsFiles?.map(expandHome) ?? DEFAULT_GLOBAL_KNOWN_HOSTS;
  return { name, userFiles, globalFiles };
}
function checkKnownHostsFile(path, subject, other, policy) {
  let isDir;
  try {
    isDir = statSync2(path).isDirectory();
  } catch (err) {
    const code = err.code;
    if (code !== "ENOENT" && code !== "ENOTDIR") throw new UsageError(`${subject} cannot be read (${code ?? "error"}): fix its permissions or ${other}.`);
    if (policy === "strict") return;
    const why = whyNotCreatable(path);
    if (why) throw new UsageError(`${subject} cannot be created (${why}): ${other} in a folder you can write to.`);
    return;
  }
  if (isDir) throw new UsageError(`${subject} is a directory, not a known_hosts file: ${other}, e.g. ${join2(path, "known_hosts")}.`);
  try {
    accessSync(path, constants.R_OK);
  } catch (err) {
    throw new UsageError(`${subject} cannot be read (${err.code ?? "error"}): fix its permissions or ${other}.`);
  }
}
function whyNotCreatable(path) {
  let dir = dirname(path);
  for (; ; ) {
    try {
      const st = statSync2(dir);
      if (!st.isDirectory()) return `${dir} is not a folder`;
      accessSync(dir, constants.W_OK | constants.X_OK);
      return void 0;
    } catch (err) {
      const code = err.code;
      if (code === "ENOENT" || code === "ENOTDIR") {
        const parent = dirname(dir);
        if (parent === dir) return `${dir} does not exist`;
        dir = parent;
        continue;
      }
      return `the folder ${dir} is not writable (${code ?? "error"})`;
    }
  }
}

// src/config/hosts-file.ts
var HOST_OVERRIDE_KEYS = ["artifacts-dir", "mlflow-port", "allowed-hosts", "public-name", "supervisor", "user", "identity-file"];
function parseHostSpec(spec) {
  let rest = spec;
  let user;
  const at = rest.lastIndexOf("@");
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const problem2 = userNameProblem(user);
    if (problem2) return problem2;
  }
  let host = rest;
  let portText;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1];
    portText = bracketed[2];
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    [host, portText] = rest.split(":");
  }
  const problem = hostProblem(host);
  if (problem) return problem;
  let port;
  if (portText !== void 0) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) return `port ${shown(portText)} is not a number from 1 to 65535`;
  }
  return { host, ...user !== void 0 ? { user } : {}, ...port !== void 0 ? { port } : {} };
}
function valueProblem(key, value) {
  const clause = (check) => {
    try {
      check();
      return void 0;
    } catch (err) {
      if (err instanceof UsageError) return err.message.replace(/^--/, "").replace(/\.$/, "");
      throw err;
    }
  };
  switch (key) {
    case "mlflow-port":
      return clause(() => requirePort(value, "mlflow-port"));
    case "artifacts-dir":
      return clause(() => requireAbsolutePath(value, "artifacts-dir"));
    case "allowed-hosts":
      return clause(() => parseAllowedHosts(value));
    case "supervisor":
      return clause(() => requireSupervisor(value, "supervisor"));
    case "public-name":
      return clause(() => parsePublicNames(value));
    case "user":
      return userNameProblem(value);
    case "identity-file":
      return new RegExp("\\p{Cc}", "u").test(value) ? `identity-file ${shown(value)} holds a control character` : void 0;
  }
}
function parseHostsFile(text, name) {
  const entries = [];
  const problems = [];
  const duplicates = [];
  const seen = /* @__PURE__ */ new Map();
  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.replace(/(^|\s)#[^]*$/, "").trim();
    if (line === "") return;
    const [spec, ...pairs] = line.split(/\s+/);
    const parsed = parseHostSpec(spec);
    if (typeof parsed === "string") {
      problems.push({ line: lineNo, message: parsed });
      return;
    }
    const overrides = {};
    const given = /* @__PURE__ */ new Set();
    const before = problems.length;
    for (const pair of pairs) {
      const eq = pair.indexOf("=");
      const key2 = eq > 0 ? pair.slice(0, eq) : pair;
      if (eq <= 0 || pair.slice(eq + 1) === "") {
        problems.push({ line: lineNo, message: `${shown(pair)} is not a key=value setting` });
        continue;
      }
      if (!HOST_OVERRIDE_KEYS.includes(key2)) {
        problems.push({ line: lineNo, message: `unknown setting ${shown(key2)} (allowed: ${HOST_OVERRIDE_KEYS.join(", ")})` });
        continue;
      }
      const value = pair.slice(eq + 1);
      if (given.has(key2) || key2 === "user" && parsed.user !== void 0) {
        problems.push({ line: lineNo, message: `${shown(key2)} is given twice${given.has(key2) ? "" : ` (as ${parsed.user}@ and as user=)`}` });
        continue;
      }
      given.add(key2);
      const problem = valueProblem(key2, value);
      if (problem) {
        problems.push({ line: lineNo, message: problem });
        continue;
      }
      overrides[key2] = value;
    }
    if (problems.length > before) return;
    const user = parsed.user ?? overrides.user;
    const key = `${user ?? ""}@${parsed.host.toLowerCase()}:${parsed.port ?? ""}`;
    const first = seen.get(key);
    if (first !== void 0) {
      duplicates.push({ line: lineNo, message: `${spec} repeats line ${first}; it runs once` });
      return;
    }
    seen.set(key, lineNo);
    entries.push({
      origin: `${name}:${lineNo}`,
      host: parsed.host,
      ...user !== void 0 ? { user } : {},
      ...parsed.port !== void 0 ? { port: parsed.port } : {},
      overrides
    });
  });
  return { entries, problems, duplicates };
}

// src/config/targets.ts
function expandHome2(p) {
  return p.replace(/^~(?=\/|$)/, homedir3());
}
function resolveTarget(entry, settings, sshConfigPath) {
  const given = entry.host.trim();
  if (given === "") throw new UsageError("--host is empty; give the VM's IP address or host name.");
  const where = entry.origin === "--host" ? "" : `${entry.origin.replace(/:(\d+)$/, " line $1")}: `;
  const fromConfig = readSshConfig(sshConfigPath, given);
  const address = requireHost(fromConfig.hostName ?? given, `${where}--host`);
  const userFlag = getString(settings, "user");
  const portFlag = settings.get("ssh-port")?.value;
  const identity = entry.overrides["identity-file"] ?? getString(settings, "identity-file");
  const o = entry.overrides;
  const withWhere = (fn) => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof UsageError && where) throw new UsageError(`${where}${err.message}`);
      throw err;
    }
  };
  const user = entry.user !== void 0 ? withWhere(() => requireUserName(entry.user, "user")) : userFlag !== void 0 ? requireUserName(userFlag, settings.get("user")?.source === "env" ? "PROVISION_USER" : "--user") : fromConfig.user !== void 0 ? requireUserName(fromConfig.user, `The User line for ${given} in ${sshConfigPath}:`) : "azureuser";
  const target = {
    label: given,
    address,
    port: withWhere(() => requirePort(entry.port ?? portFlag ?? fromConfig.port ?? 22, "ssh-port")),
    user,
    identityFiles: identity ? [expandHome2(identity)] : fromConfig.identityFiles,
    origin: entry.origin,
    overrides: {
      ...o["mlflow-port"] !== void 0 ? { port: withWhere(() => requirePort(o["mlflow-port"], "mlflow-port")) } : {},
      ...o["artifacts-dir"] !== void 0 ? { artifactsDir: withWhere(() => requireSafeArtifactsDir(requireAbsolutePath(o["artifacts-dir"], "artifacts-dir"))) } : {},
      ...o["allowed-hosts"] !== void 0 ? { allowedHosts: withWhere(() => parseAllowedHosts(o["allowed-hosts"])) } : {},
      ...o.supervisor !== void 0 ? { supervisor: withWhere(() => requireSupervisor(o.supervisor, "supervisor")) } : {},
      ...o["public-name"] !== void 0 ? { publicNames: withWhere(() => parsePublicNames(o["public-name"])) } : {}
    }
  };
  target.knownHosts = knownHostsFor(target, fromConfig, settings);
  return target;
}
function hostEntries(settings, readFile, warnings) {
  const entries = (settings.get("host")?.value ?? []).flatMap((h) => String(h).split(",")).filter((h) => h.trim() !== "").map((h) => ({ origin: "--host", host: h.trim(), overrides: {} }));
  const file = getString(settings, "hosts-file");
  if (file) {
    let text;
    try {
      text = readFile(expandHome2(file));
    } catch (err) {
      throw new UsageError(`Cannot read the hosts file ${file} (${err.code ?? "error"}): check --hosts-file.`);
    }
    const parsed = parseHostsFile(text, file);
    if (parsed.problems.length > 0) {
      const list = parsed.problems.map((p) => `line ${p.line}: ${p.message}`).join("; ");
      throw new UsageError(
        `${file} has ${parsed.problems.length === 1 ? "a bad line" : `${parsed.problems.length} bad lines`} (${list}); fix ${parsed.problems.length === 1 ? "it" : "them"} and rerun: nothing was started.`
      );
    }
    for (const d of parsed.duplicates) warnings.push(`${file} line ${d.line}: ${d.message}.`);
    if (parsed.entries.length === 0 && entries.length === 0) throw new UsageError(`${file} names no host: write one VM a line, e.g. "azureuser@20.61.1.2".`);
    entries.push(...parsed.entries);
  }
  return entries;
}
function resolveTargets(settings, readFile, warnings) {
  const entries = hostEntries(settings, readFile, warnings);
  if (entries.length === 0) throw new UsageError("No VM given: pass --host <vm-ip> or --hosts-file hosts.txt (or set PROVISION_HOST).");
  const sshConfigPath = expandHome2(getString(settings, "ssh-config") ?? join3(homedir3(), ".ssh", "config"));
  const targets = [];
  const seen = /* @__PURE__ */ new Map();
  for (const entry of entries) {
    const target = resolveTarget(entry, settings, sshConfigPath);
    const key = `${target.user}@${target.address.toLowerCase()}:${target.port}`;
    const first = seen.get(key);
    if (first) {
      warnings.push(`${target.label} (${target.origin}) is the same VM as ${first.label} (${first.origin}); it runs once.`);
      continue;
    }
    seen.set(key, target);
    if (targets.some((t) => t.label === target.label)) target.label = `${target.user}@${target.label}:${target.port}`;
    targets.push(target);
  }
  return targets;
}

// src/config/root-certificates.ts
import { X509Certificate } from "node:crypto";
function parseRootCertificates(text, file) {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    return {
      problem: `${file} holds a private key: --pg-ssl-root-cert takes only the root certificate(s), which are public (the file is copied to the VM readable by all).`
    };
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    return {
      problem: `${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----): pass the root certificate(s) in PEM form; a DER file (.crt or .cer) converts with \`openssl x509 -inform der -in ${file} -out root.pem\`.`
    };
  }
  const certificates = [];
  for (const [i, block] of blocks.entries()) {
    try {
      certificates.push(new X509Certificate(block));
    } catch (err) {
      return { problem: `Certificate ${i + 1} in ${file} cannot be read (${err.message}): pass the root certificate(s) in PEM form.` };
    }
  }
  return { certificates };
}
function rootCertSettings(settings, sslmode, readFile) {
  const file = getString(settings, "pg-ssl-root-cert");
  if (file === void 0 || file.trim() === "") {
    if (sslmode === "verify-ca" || sslmode === "verify-full") {
      throw new UsageError(
        `--pg-sslmode ${sslmode} needs the database server's root certificate: pass --pg-ssl-root-cert FILE (or set POSTGRES_SSLROOTCERT) with the PEM root certificate(s) its certificate chains to \u2014 ${AZURE_PG_ROOTS}.`
      );
    }
    return void 0;
  }
  if (sslmode === "disable") {
    throw new UsageError(
      "--pg-ssl-root-cert goes with a TLS mode: with --pg-sslmode disable there is no certificate to verify; use verify-full (or leave the root certificate out)."
    );
  }
  let text;
  try {
    text = readFile(expandHome2(file));
  } catch (err) {
    throw new UsageError(`Cannot read the root certificate file ${file} (${err.code ?? "error"}): check --pg-ssl-root-cert.`);
  }
  const parsed = parseRootCertificates(text, file);
  if ("problem" in parsed) throw new UsageError(parsed.problem);
  return { pem: text, source: file };
}

// src/config/tls.ts
import { createPrivateKey, X509Certificate as X509Certificate2 } from "node:crypto";
import { isIP as isIP2 } from "node:net";
var TLS_MODES = ["none", "acme", "internal", "files"];
function readPem(file, flag, readFile) {
  try {
    return readFile(expandHome2(file));
  } catch (err) {
    throw new UsageError(`Cannot read ${file} (${err.code ?? "error"}): check ${flag}.`);
  }
}
function certificatesOf(file, flag, readFile) {
  const pem = readPem(file, flag, readFile);
  const parsed = parseRootCertificates(pem, file);
  if ("problem" in parsed) throw new UsageError(parsed.problem.replace("--pg-ssl-root-cert", flag));
  return { pem, source: file };
}
function tlsSettings(settings, names, port, readFile, now = /* @__PURE__ */ new Date()) {
  const mode = getString(settings, "tls") ?? "none";
  if (!TLS_MODES.includes(mode)) throw new UsageError(`--tls must be one of ${TLS_MODES.join(", ")}, not "${mode}".`);
  const given = (name) => {
    const value = getString(settings, name);
    return value === void 0 || value.trim() === "" ? void 0 : value.trim();
  };
  const stray = ["acme-ca", "acme-ca-root", "acme-email", "tls-cert", "tls-key", "tls-ca-cert"].filter((n) => given(n) !== void 0);
  if (mode === "none") {
    if (stray.length > 0) throw new UsageError(`--${stray[0]} goes with --tls: add --tls acme, internal or files (see docs/tls.md).`);
    return void 0;
  }
  const belongs = { "acme-ca": "acme", "acme-ca-root": "acme", "acme-email": "acme", "tls-cert": "files", "tls-key": "files" };
  const misplaced = stray.find((n) => belongs[n] !== void 0 && belongs[n] !== mode);
  if (misplaced) throw new UsageError(`--${misplaced} goes with --tls ${belongs[misplaced]}, not --tls ${mode}.`);
  if (port === 80 || port === 443) {
    throw new UsageError(`--mlflow-port ${port} is the proxy's with --tls: MLflow listens on 127.0.0.1 behind it; keep the default 5000 or another port.`);
  }
  const trustFile = given("tls-ca-cert");
  const trust = trustFile ? certificatesOf(trustFile, "--tls-ca-cert", readFile) : void 0;
  const tls = { mode, ...trust ? { trust } : {} };
  const perTarget = names.targets.map((t) => ({ ...t, names: t.overrides.publicNames ?? names.global }));
  if (mode === "acme") tls.acme = acmeSettings(given, perTarget, readFile);
  if (mode === "files") tls.files = filesSettings(given, perTarget, readFile, now);
  return tls;
}
function acmeSettings(given, targets, readFile) {
  const unnamed = targets.find((t) => t.names.length === 0);
  if (unnamed) {
    throw new UsageError(
      `--tls acme needs --public-name: the DNS name that points at the VM's public address (on Azure: the VM's DNS label, NAME.REGION.cloudapp.azure.com)${targets.length > 1 ? `; ${unnamed.label} has none (public-name= on its hosts-file line)` : ""}.`
    );
  }
  const owner = /* @__PURE__ */ new Map();
  for (const t of targets) {
    for (const n of t.names) {
      const other = owner.get(n);
      if (other !== void 0 && other !== t.label) {
        throw new UsageError(
          `--tls acme: ${other} and ${t.label} would both ask for a certificate for ${n}: give each VM its own name (public-name= on its hosts-file line).`
        );
      }
      owner.set(n, t.label);
    }
  }
  const ip = targets.flatMap((t) => t.names).find((n) => isIP2(n) !== 0);
  if (ip) throw new UsageError(`--tls acme needs DNS names, and --public-name ${ip} is an address: give the VM's DNS name, or use --tls internal.`);
  const directory = given("acme-ca");
  if (directory !== void 0 && !/^https:\/\/[^\s/]+(\/\S*)?$/i.test(directory)) {
    throw new UsageError(
      `--acme-ca must be the https:// URL of an ACME directory (e.g. https://acme-staging-v02.api.letsencrypt.org/directory), not "${directory}".`
    );
  }
  const rootFile = given("acme-ca-root");
  if (rootFile && !directory) throw new UsageError("--acme-ca-root goes with --acme-ca: it is the root that directory's own HTTPS certificate chains to.");
  const email = given("acme-email");
  if (email !== void 0 && !/^[^\s@"{}]+@[^\s@"{}]+\.[^\s@"{}]+$/.test(email)) throw new UsageError(`--acme-email "${email}" is not an e-mail address.`);
  return {
    ...directory ? { directory } : {},
    ...rootFile ? { directoryRoot: certificatesOf(rootFile, "--acme-ca-root", readFile) } : {},
    ...email ? { email } : {}
  };
}
function filesSettings(given, targets, readFile, now) {
  const certFile = given("tls-cert");
  const keyFile = given("tls-key");
  if (!certFile || !keyFile)
    throw new UsageError("--tls files needs --tls-cert FILE (the certificate, then its chain) and --tls-key FILE (its private key), both PEM.");
  const certPem = readPem(certFile, "--tls-cert", readFile);
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(certPem))
    throw new UsageError(`${certFile} holds a private key: pass it with --tls-key, and the certificate with --tls-cert.`);
  const cert = certificatesOf(certFile, "--tls-cert", readFile);
  const leaf = new X509Certificate2(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(certPem)[0]);
  const keyText = readPem(keyFile, "--tls-key", readFile);
  const key = new Secret(keyText);
  for (const line of keyText.split(/\r?\n/)) if (line.length >= 16 && !line.startsWith("-----")) new Secret(line);
  let matches;
  try {
    matches = leaf.checkPrivateKey(createPrivateKey(key.reveal()));
  } catch {
    throw new UsageError(`${keyFile} holds no readable private key (PEM, without a passphrase): check --tls-key.`);
  }
  if (!matches)
    throw new UsageError(`The key in ${keyFile} does not belong to the first certificate in ${certFile}: the certificate must come first, then its chain.`);
  if (new Date(leaf.validTo) <= now)
    throw new UsageError(`The certificate in ${certFile} expired on ${new Date(leaf.validTo).toISOString().slice(0, 10)}: renew it.`);
  const covers = (n) => (isIP2(n) ? leaf.checkIP(n) : leaf.checkHost(n)) !== void 0;
  const forWhom = leaf.subjectAltName ?? leaf.subject;
  for (const t of targets) {
    const uncovered = t.names.find((n) => !covers(n));
    if (uncovered) throw new UsageError(`The certificate in ${certFile} does not cover --public-name ${uncovered} (it is for ${forWhom}).`);
    if (t.names.length === 0 && !covers(t.address)) {
      throw new UsageError(
        `The certificate in ${certFile} does not cover ${t.address} (it is for ${forWhom}): pass --public-name with the name it is for (and point that name at the VM).`
      );
    }
  }
  return { cert, key, keySource: keyFile };
}
function statusTrust(settings, readFile) {
  const file = getString(settings, "tls-ca-cert")?.trim();
  return file ? certificatesOf(file, "--tls-ca-cert", readFile) : void 0;
}

// src/config/config.ts
var MIN_ADMIN_PASSWORD_LENGTH = 12;
var LEGACY_DEFAULT_ADMIN_PASSWORD = "password1234";
function adminPasswordProblem(password) {
  const value = password.reveal();
  if ([...value].length < MIN_ADMIN_PASSWORD_LENGTH) {
    return `MLFLOW_AUTH_ADMIN_PASSWORD must be at least ${MIN_ADMIN_PASSWORD_LENGTH} characters: MLflow refuses shorter admin passwords.`;
  }
  if (value === LEGACY_DEFAULT_ADMIN_PASSWORD) {
    return "MLFLOW_AUTH_ADMIN_PASSWORD is the default password older MLflow versions shipped, which MLflow now refuses: choose another.";
  }
  if (/[\0\r\n]/.test(value))
    return "MLFLOW_AUTH_ADMIN_PASSWORD contains a line break or NUL character, which cannot travel in an environment file: choose another.";
  return void 0;
}
function concurrencyOf(settings) {
  const concurrency = Number(settings.get("concurrency")?.value ?? 10);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 100) {
    throw new UsageError(`--concurrency must be a whole number from 1 to 100, not ${shown(settings.get("concurrency")?.value)}.`);
  }
  return concurrency;
}
function sshSettings(settings, passphrase) {
  const policy = getString(settings, "host-key-policy") ?? "accept-new";
  if (policy !== "accept-new" && policy !== "strict") {
    throw new UsageError(`--host-key-policy must be accept-new or strict, not "${policy}".`);
  }
  const timeout = Number(settings.get("connect-timeout")?.value ?? 20);
  if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 600) {
    throw new UsageError("--connect-timeout must be a number of seconds between 1 and 600.");
  }
  return {
    knownHostsPath: expandHome2(getString(settings, "known-hosts") ?? join4(homedir4(), ".ssh", "known_hosts")),
    hostKeyPolicy: policy,
    connectTimeoutMs: timeout * 1e3,
    ...passphrase ? { passphrase } : {}
  };
}
function buildStatusConfig(settings, passphrase, readFile = (p) => readFileSync2(p, "utf8")) {
  const warnings = [];
  const targets = resolveTargets(settings, readFile, warnings);
  const trust = statusTrust(settings, readFile);
  return {
    targets,
    concurrency: concurrencyOf(settings),
    warnings,
    ssh: sshSettings(settings, passphrase),
    port: requirePort(settings.get("mlflow-port")?.value ?? 5e3, "mlflow-port"),
    ...trust ? { tlsTrust: trust.pem } : {},
    output: { json: getBool(settings, "json"), verbose: getBool(settings, "verbose") }
  };
}
function buildConfig(settings, password, passphrase, readFile = (p) => readFileSync2(p, "utf8"), more = {}) {
  const warnings = [];
  const targets = resolveTargets(settings, readFile, warnings);
  const concurrency = concurrencyOf(settings);
  const pgHost = getString(settings, "pg-host");
  if (!pgHost) throw new UsageError("No database host given: pass --pg-host or set POSTGRES_HOST.");
  const sslmode = getString(settings, "pg-sslmode") ?? "require";
  if (!SSL_MODES.includes(sslmode)) {
    throw new UsageError(`--pg-sslmode must be one of ${SSL_MODES.join(", ")}, not "${sslmode}".`);
  }
  const sslRootCert = rootCertSettings(settings, sslmode, readFile);
  if (password.isEmpty) throw new UsageError("The database password is empty: set POSTGRES_PASSWORD in .env or use --pg-password-stdin.");
  if (password.matches(/[\0\r\n]/)) {
    throw new UsageError(
      "The database password contains a line break or NUL character, which the secrets file on the VM cannot hold: give the password alone, on one line (POSTGRES_PASSWORD or --pg-password-stdin)."
    );
  }
  const artifacts = getString(settings, "artifacts-dir");
  const supervisorText = getString(settings, "supervisor");
  const supervisor = supervisorText === void 0 ? void 0 : requireSupervisor(supervisorText, "supervisor");
  const allowed = getString(settings, "allowed-hosts");
  const version = getString(settings, "mlflow-version");
  const publicNames = parsePublicNames((settings.get("public-name")?.value ?? []).join(","));
  const ssh = sshSettings(settings, passphrase);
  const auth = authSettings(settings, getString(settings, "pg-db") ?? "mlflow", more.authAdminPassword);
  const port = requirePort(settings.get("mlflow-port")?.value ?? 5e3, "mlflow-port");
  const tls = tlsSettings(settings, { global: publicNames, targets }, port, readFile);
  const blob = blobSettings(settings, more, warnings);
  if (blob && (artifacts !== void 0 || targets.some((t) => t.overrides.artifactsDir !== void 0))) {
    throw new UsageError("--artifacts-dir and --artifacts-destination exclude each other: with a wasbs:// destination there is no artifacts folder on the VM.");
  }
  if (targets.length > 1 && !blob) {
    warnings.push(
      `${targets.length} VMs share the database ${pgHost}/${getString(settings, "pg-db") ?? "mlflow"} but keep artifacts on their own disks: runs logged through one VM have their artifacts on that VM only. For servers behind one address, put artifacts on shared storage (Azure Blob, --artifacts-destination wasbs://\u2026, see docs/hosts-file.md).`
    );
  }
  return {
    targets,
    concurrency,
    warnings,
    ssh,
    db: {
      host: requireHost(pgHost, "--pg-host", false),
      port: requirePort(settings.get("pg-port")?.value ?? 5432, "pg-port"),
      user: requireSqlName(getString(settings, "pg-user") ?? "mlflow", "pg-user"),
      database: requireSqlName(getString(settings, "pg-db") ?? "mlflow", "pg-db"),
      password,
      sslmode,
      ...sslRootCert ? { sslRootCert } : {}
    },
    server: {
      port,
      ...allowed !== void 0 ? { allowedHosts: parseAllowedHosts(allowed) } : {},
      ...artifacts !== void 0 ? { artifactsDir: requireSafeArtifactsDir(requireAbsolutePath(artifacts, "artifacts-dir")) } : {},
      ...version !== void 0 && version !== "latest" ? { mlflowVersion: requireMlflowVersion(version) } : {},
      ...version === "latest" ? { mlflowLatest: true } : {},
      ...settings.get("workers") !== void 0 ? { workers: requireNumber(settings.get("workers").value, "--workers", { min: 1, max: 16 }) } : {},
      ...getBool(settings, "job-runner") ? { jobRunner: true } : {},
      ...supervisor === "systemd" ? { supervisor } : {},
      ...publicNames.length > 0 ? { publicNames } : {},
      ...blob ? { blob } : {}
    },
    ...auth ? { auth } : {},
    ...tls ? { tls } : {},
    output: {
      json: getBool(settings, "json"),
      verbose: getBool(settings, "verbose"),
      logDir: expandHome2(getString(settings, "log-dir") ?? "provision-logs")
    },
    upgrade: getBool(settings, "upgrade"),
    dryRun: getBool(settings, "dry-run")
  };
}
function blobSettings(settings, more, warnings) {
  const uri = getString(settings, "artifacts-destination");
  const identity = getBool(settings, "azure-identity");
  if (uri === void 0) {
    if (identity) throw new UsageError("--azure-identity goes with --artifacts-destination wasbs://...: it is how the server reaches Blob Storage.");
    return void 0;
  }
  const dest = parseWasbsUri(uri);
  if (identity) {
    if (more.azureConnectionString || more.azureAccessKey) {
      warnings.push(
        "--azure-identity: the storage key or connection string in the environment is not written to the VM; the server uses its managed identity."
      );
    }
    return { ...dest, credential: { kind: "managed-identity" } };
  }
  for (const [variable, secret] of [
    ["AZURE_STORAGE_CONNECTION_STRING", more.azureConnectionString],
    ["AZURE_STORAGE_ACCESS_KEY", more.azureAccessKey]
  ]) {
    if (secret?.matches(/[\0\r\n]/)) {
      throw new UsageError(`${variable} contains a line break or NUL character, which the secrets file on the VM cannot hold: give it on one line.`);
    }
  }
  if (more.azureConnectionString && !more.azureConnectionString.isEmpty) {
    const name = /(?:^|;)\s*AccountName=([^;]+)/i.exec(more.azureConnectionString.reveal())?.[1]?.trim();
    if (name && name.toLowerCase() !== dest.account) {
      throw new UsageError(
        `AZURE_STORAGE_CONNECTION_STRING is for the storage account "${name}", but --artifacts-destination names "${dest.account}": MLflow would use the connection string's account.`
      );
    }
    return { ...dest, credential: { kind: "connection-string", value: more.azureConnectionString } };
  }
  if (more.azureAccessKey && !more.azureAccessKey.isEmpty) return { ...dest, credential: { kind: "access-key", value: more.azureAccessKey } };
  throw new UsageError(
    "--artifacts-destination wasbs://... needs a storage credential: set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCESS_KEY in the environment or .env, or use --azure-identity for the VM's managed identity (or run in a terminal to be asked for the access key)."
  );
}
function authSettings(settings, trackingDb, password) {
  const mode = getString(settings, "auth") ?? "none";
  if (mode !== "none" && mode !== "basic") throw new UsageError(`--auth must be none or basic, not "${mode}".`);
  if (mode === "none") return void 0;
  const adminUser = (getString(settings, "auth-admin-user") ?? "admin").trim();
  if (!/^[^\s:]{1,64}$/.test(adminUser)) {
    throw new UsageError(`--auth-admin-user "${adminUser}" is not a usable user name: 1 to 64 characters, no spaces or colons.`);
  }
  const database = requireSqlName(getString(settings, "auth-db") ?? "mlflow_auth", "auth-db");
  if (database === trackingDb) {
    throw new UsageError(
      `--auth-db must name another database than --pg-db ("${trackingDb}"): MLflow's user tables and its tracking schema collide in one database.`
    );
  }
  if (!password || password.isEmpty) {
    throw new UsageError("--auth basic needs the admin password: set MLFLOW_AUTH_ADMIN_PASSWORD in the environment or .env, or run in a terminal to be asked.");
  }
  const problem = adminPasswordProblem(password);
  if (problem) throw new UsageError(problem);
  return { adminUser, adminPassword: password, database };
}

// src/config/keys.ts
import { accessSync as accessSync2, constants as constants2, readFileSync as readFileSync3 } from "node:fs";
import ssh2 from "ssh2";
function checkIdentityFiles(targets, passphrase) {
  const files = [...new Set(targets.flatMap((t) => t.identityFiles))];
  for (const file of files) {
    try {
      accessSync2(file, constants2.R_OK);
    } catch (err) {
      const code = err.code;
      throw new UsageError(
        `Cannot read the identity file ${file} (${code === "ENOENT" ? "no such file" : code}): check --identity-file or the IdentityFile line in ~/.ssh/config.`
      );
    }
    const parsed = ssh2.utils.parseKey(readFileSync3(file), passphrase?.reveal());
    if (parsed instanceof Error) {
      if (/encrypted/i.test(parsed.message) && /no passphrase/i.test(parsed.message)) return { ok: false, encrypted: true, file };
      if (/bad passphrase|decrypt|integrity/i.test(parsed.message)) {
        throw new UsageError(`The passphrase for ${file} is wrong: check PROVISION_SSH_PASSPHRASE.`);
      }
      throw new UsageError(`${file} is not a usable private key (${parsed.message}): point --identity-file at your private key, not the .pub file.`);
    }
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!key?.isPrivateKey()) throw new UsageError(`${file} is a public key: point --identity-file at the private key.`);
  }
  return { ok: true };
}

// src/config/prompt.ts
async function ask(type, message, initial) {
  const { default: enquirer } = await import("./enquirer-C6C5DVYT.js");
  try {
    const answer = await enquirer.prompt({
      type,
      name: "value",
      message,
      ...initial !== void 0 ? { initial } : {}
    });
    return answer.value;
  } catch {
    throw new Cancelled("Cancelled.");
  }
}
async function readStdin() {
  if (process.stdin.isTTY) throw new UsageError('--pg-password-stdin reads the password from a pipe, e.g. `printf %s "$PW" | provision ...`.');
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}
var MISSING_HINTS = {
  host: "--host <vm-ip> (or PROVISION_HOST)",
  "pg-host": "--pg-host (or POSTGRES_HOST in .env)"
};
async function completeSettings(settings, env, plan) {
  const missing = [];
  const prompt = async (name, message, initial) => {
    if (settings.has(name)) return;
    if (!plan.interactive) {
      if (initial === void 0) missing.push(MISSING_HINTS[name] ?? `--${name}`);
      return;
    }
    const value = (await ask("input", message, initial)).trim();
    if (value !== "") settings.set(name, { value: name === "host" ? [value] : value, source: "prompt" });
  };
  if (!settings.has("hosts-file")) await prompt("host", "VM address (IP or host name)");
  await prompt("pg-host", "PostgreSQL server (e.g. myserver.postgres.database.azure.com)");
  await prompt("pg-user", "PostgreSQL user", "mlflow");
  await prompt("pg-db", "PostgreSQL database", "mlflow");
  let password;
  if (settings.get("pg-password-stdin")?.value === true) password = await readStdin();
  else if (env.POSTGRES_PASSWORD) password = env.POSTGRES_PASSWORD;
  else if (plan.interactive) password = await ask("password", `Password for PostgreSQL user ${getString(settings, "pg-user") ?? "mlflow"}`);
  else missing.push("the database password (POSTGRES_PASSWORD in .env, or --pg-password-stdin)");
  let authPassword;
  if (getString(settings, "auth") === "basic") {
    const admin = getString(settings, "auth-admin-user") ?? "admin";
    if (env.MLFLOW_AUTH_ADMIN_PASSWORD) authPassword = env.MLFLOW_AUTH_ADMIN_PASSWORD;
    else if (plan.interactive) authPassword = await ask("password", `Password for the MLflow admin user "${admin}" (--auth basic, at least 12 characters)`);
    else missing.push("the MLflow admin password for --auth basic (MLFLOW_AUTH_ADMIN_PASSWORD in .env)");
  }
  let azureKey;
  const destination = getString(settings, "artifacts-destination");
  if (destination !== void 0 && settings.get("azure-identity")?.value !== true && !env.AZURE_STORAGE_CONNECTION_STRING && !env.AZURE_STORAGE_ACCESS_KEY && plan.interactive) {
    const { account } = parseWasbsUri(destination);
    azureKey = await ask("password", `Access key of the storage account ${account} (AZURE_STORAGE_ACCESS_KEY; Azure portal > storage account > Access keys)`);
  }
  if (missing.length > 0) {
    const why = plan.interactive ? "" : process.stdin.isTTY ? " (--yes never prompts)" : " (no terminal to prompt on)";
    throw new UsageError(`Missing ${missing.join(", ")}${why}.`);
  }
  const result = { password: new Secret(password ?? ""), more: {} };
  if (env.PROVISION_SSH_PASSPHRASE) result.passphrase = new Secret(env.PROVISION_SSH_PASSPHRASE);
  if (authPassword !== void 0) result.more.authAdminPassword = new Secret(authPassword);
  if (env.AZURE_STORAGE_CONNECTION_STRING) result.more.azureConnectionString = new Secret(env.AZURE_STORAGE_CONNECTION_STRING);
  const key = azureKey ?? env.AZURE_STORAGE_ACCESS_KEY;
  if (key) result.more.azureAccessKey = new Secret(key);
  return result;
}
async function askPassphrase(file) {
  return new Secret(await ask("password", `Passphrase for ${file}`));
}

// src/cli/status-config.ts
function canPrompt(argv) {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY) && argv.yes !== true && process.env.PROVISION_YES !== "true" && !process.env.CI;
}
async function statusConfigFrom(settings, argv) {
  const passphrase = process.env.PROVISION_SSH_PASSPHRASE ? new Secret(process.env.PROVISION_SSH_PASSPHRASE) : void 0;
  const config = buildStatusConfig(settings, passphrase);
  const keys = checkIdentityFiles(config.targets, passphrase);
  if (keys.ok) return config;
  if (!canPrompt(argv)) {
    throw new UsageError(`${keys.file} is encrypted and no passphrase is available: set PROVISION_SSH_PASSPHRASE or load the key into ssh-agent.`);
  }
  const asked = await askPassphrase(keys.file);
  checkIdentityFiles(config.targets, asked);
  return buildStatusConfig(settings, asked);
}

export {
  shown,
  requireNumber,
  readSettings,
  getBool,
  buildConfig,
  checkIdentityFiles,
  completeSettings,
  askPassphrase,
  canPrompt,
  statusConfigFrom
};
