#!/usr/bin/env -S node --
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  applyCaddyCommand,
  artifactsCommand,
  caddyJournalCommand,
  dbUpgradeCommand,
  enableCaddyCommand,
  enableUnitCommand,
  installCaddyCommands,
  installCaddyfileCommand,
  installProxyFilesCommand,
  installUnitCommand,
  installedMlflowVersionCommand,
  logTailCommand,
  packageCommands,
  planServer,
  portProblem,
  proxyUploadPath,
  pythonCommands,
  removeLeftoverUploadsCommand,
  removeProxyCommand,
  removeProxyFilesCommand,
  removeUnitCommand,
  serverAliveCommand,
  startServerCommand,
  startUnitCommand,
  stopServerCommand,
  stopUnitCommand,
  supervisorProblem,
  unitUploadPath
} from "./chunk-V36IONCM.js";
import {
  askPassphrase,
  buildConfig,
  canPrompt,
  checkIdentityFiles,
  completeSettings,
  readSettings,
  shown,
  statusConfigFrom
} from "./chunk-BMDQEPXF.js";
import {
  artifactsFolderProblem
} from "./chunk-AKH7ILIC.js";
import {
  CADDYFILE,
  CADDY_UNIT,
  DatabaseMissing,
  PROXY_DIR,
  PROXY_FILES,
  Remote,
  autoWorkers,
  buildProbeScript,
  caddyInternalRoot,
  checkDatabase,
  configFingerprint,
  createDatabase,
  databaseSummary,
  httpDirect,
  httpOnVm,
  loadDatabaseDriver,
  newFingerprintSalt,
  parseFacts,
  proxyFilePath,
  remoteLayout,
  renderAuthIni,
  renderCaddyfile,
  renderLauncher,
  renderSecretsEnv,
  sha256,
  urlHost
} from "./chunk-B6JPNPE7.js";
import {
  ConnectionDropped,
  EXIT,
  HostUnreachable,
  Interrupted,
  ProbeIncomplete,
  StepError,
  UsageError,
  errorMessage
} from "./chunk-DOFNX5A2.js";
import {
  kleur_default
} from "./chunk-MRIE4JVU.js";
import {
  UNIT_NAME,
  renderUnit
} from "./chunk-UMUOKFXQ.js";
import {
  DEFAULT_MLFLOW_VERSION,
  LIFECYCLE_COMMANDS,
  OPTIONS,
  STATUS_OPTIONS,
  lifecycleOptions
} from "./chunk-XUGTEQOO.js";
import {
  Secret,
  backendUriWithoutPassword,
  basicAuthHeader,
  maskSecrets,
  maskStreams
} from "./chunk-AQLCKWIG.js";
import {
  VM_FILES,
  tildePath
} from "./chunk-WWIPIQSO.js";
import {
  __commonJS,
  __require,
  __toESM
} from "./chunk-V4RWK56N.js";

// node_modules/dotenv/lib/main.js
var require_main = __commonJS({
  "node_modules/dotenv/lib/main.js"(exports, module) {
    var fs = __require("fs");
    var path = __require("path");
    var os = __require("os");
    var crypto = __require("crypto");
    var TIPS = [
      "\u25C8 encrypted .env [www.dotenvx.com]",
      "\u25C8 secrets for agents [www.dotenvx.com]",
      "\u2301 auth for agents [www.vestauth.com]",
      "\u2318 custom filepath { path: '/custom/path/.env' }",
      "\u2318 enable debugging { debug: true }",
      "\u2318 override existing { override: true }",
      "\u2318 suppress logs { quiet: true }",
      "\u2318 multiple files { path: ['.env.local', '.env'] }"
    ];
    function _getRandomTip() {
      return TIPS[Math.floor(Math.random() * TIPS.length)];
    }
    function parseBoolean(value) {
      if (typeof value === "string") {
        return !["false", "0", "no", "off", ""].includes(value.toLowerCase());
      }
      return Boolean(value);
    }
    function supportsAnsi() {
      return process.stdout.isTTY;
    }
    function dim2(text) {
      return supportsAnsi() ? `\x1B[2m${text}\x1B[0m` : text;
    }
    var LINE = /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/mg;
    function parse(src) {
      const obj = {};
      let lines = src.toString();
      lines = lines.replace(/\r\n?/mg, "\n");
      let match;
      while ((match = LINE.exec(lines)) != null) {
        const key = match[1];
        let value = match[2] || "";
        value = value.trim();
        const maybeQuote = value[0];
        value = value.replace(/^(['"`])([\s\S]*)\1$/mg, "$2");
        if (maybeQuote === '"') {
          value = value.replace(/\\n/g, "\n");
          value = value.replace(/\\r/g, "\r");
        }
        obj[key] = value;
      }
      return obj;
    }
    function _parseVault(options) {
      options = options || {};
      const vaultPath = _vaultPath(options);
      options.path = vaultPath;
      const result = DotenvModule.configDotenv(options);
      if (!result.parsed) {
        const err = new Error(`MISSING_DATA: Cannot parse ${vaultPath} for an unknown reason`);
        err.code = "MISSING_DATA";
        throw err;
      }
      const keys = _dotenvKey(options).split(",");
      const length = keys.length;
      let decrypted;
      for (let i = 0; i < length; i++) {
        try {
          const key = keys[i].trim();
          const attrs = _instructions(result, key);
          decrypted = DotenvModule.decrypt(attrs.ciphertext, attrs.key);
          break;
        } catch (error) {
          if (i + 1 >= length) {
            throw error;
          }
        }
      }
      return DotenvModule.parse(decrypted);
    }
    function _warn(message) {
      console.error(`\u26A0 ${message}`);
    }
    function _debug(message) {
      console.log(`\u2506 ${message}`);
    }
    function _log(message) {
      console.log(`\u25C7 ${message}`);
    }
    function _dotenvKey(options) {
      if (options && options.DOTENV_KEY && options.DOTENV_KEY.length > 0) {
        return options.DOTENV_KEY;
      }
      if (process.env.DOTENV_KEY && process.env.DOTENV_KEY.length > 0) {
        return process.env.DOTENV_KEY;
      }
      return "";
    }
    function _instructions(result, dotenvKey) {
      let uri;
      try {
        uri = new URL(dotenvKey);
      } catch (error) {
        if (error.code === "ERR_INVALID_URL") {
          const err = new Error("INVALID_DOTENV_KEY: Wrong format. Must be in valid uri format like dotenv://:key_1234@dotenvx.com/vault/.env.vault?environment=development");
          err.code = "INVALID_DOTENV_KEY";
          throw err;
        }
        throw error;
      }
      const key = uri.password;
      if (!key) {
        const err = new Error("INVALID_DOTENV_KEY: Missing key part");
        err.code = "INVALID_DOTENV_KEY";
        throw err;
      }
      const environment = uri.searchParams.get("environment");
      if (!environment) {
        const err = new Error("INVALID_DOTENV_KEY: Missing environment part");
        err.code = "INVALID_DOTENV_KEY";
        throw err;
      }
      const environmentKey = `DOTENV_VAULT_${environment.toUpperCase()}`;
      const ciphertext = result.parsed[environmentKey];
      if (!ciphertext) {
        const err = new Error(`NOT_FOUND_DOTENV_ENVIRONMENT: Cannot locate environment ${environmentKey} in your .env.vault file.`);
        err.code = "NOT_FOUND_DOTENV_ENVIRONMENT";
        throw err;
      }
      return { ciphertext, key };
    }
    function _vaultPath(options) {
      let possibleVaultPath = null;
      if (options && options.path && options.path.length > 0) {
        if (Array.isArray(options.path)) {
          for (const filepath of options.path) {
            if (fs.existsSync(filepath)) {
              possibleVaultPath = filepath.endsWith(".vault") ? filepath : `${filepath}.vault`;
            }
          }
        } else {
          possibleVaultPath = options.path.endsWith(".vault") ? options.path : `${options.path}.vault`;
        }
      } else {
        possibleVaultPath = path.resolve(process.cwd(), ".env.vault");
      }
      if (fs.existsSync(possibleVaultPath)) {
        return possibleVaultPath;
      }
      return null;
    }
    function _resolveHome(envPath) {
      return envPath[0] === "~" ? path.join(os.homedir(), envPath.slice(1)) : envPath;
    }
    function _configVault(options) {
      const debug = parseBoolean(process.env.DOTENV_CONFIG_DEBUG || options && options.debug);
      const quiet = parseBoolean(process.env.DOTENV_CONFIG_QUIET || options && options.quiet);
      if (debug || !quiet) {
        _log("loading env from encrypted .env.vault");
      }
      const parsed = DotenvModule._parseVault(options);
      let processEnv = process.env;
      if (options && options.processEnv != null) {
        processEnv = options.processEnv;
      }
      DotenvModule.populate(processEnv, parsed, options);
      return { parsed };
    }
    function configDotenv(options) {
      const dotenvPath = path.resolve(process.cwd(), ".env");
      let encoding = "utf8";
      let processEnv = process.env;
      if (options && options.processEnv != null) {
        processEnv = options.processEnv;
      }
      let debug = parseBoolean(processEnv.DOTENV_CONFIG_DEBUG || options && options.debug);
      let quiet = parseBoolean(processEnv.DOTENV_CONFIG_QUIET || options && options.quiet);
      if (options && options.encoding) {
        encoding = options.encoding;
      } else {
        if (debug) {
          _debug("no encoding is specified (UTF-8 is used by default)");
        }
      }
      let optionPaths = [dotenvPath];
      if (options && options.path) {
        if (!Array.isArray(options.path)) {
          optionPaths = [_resolveHome(options.path)];
        } else {
          optionPaths = [];
          for (const filepath of options.path) {
            optionPaths.push(_resolveHome(filepath));
          }
        }
      }
      let lastError;
      const parsedAll = {};
      for (const path2 of optionPaths) {
        try {
          const parsed = DotenvModule.parse(fs.readFileSync(path2, { encoding }));
          DotenvModule.populate(parsedAll, parsed, options);
        } catch (e) {
          if (debug) {
            _debug(`failed to load ${path2} ${e.message}`);
          }
          lastError = e;
        }
      }
      const populated = DotenvModule.populate(processEnv, parsedAll, options);
      debug = parseBoolean(processEnv.DOTENV_CONFIG_DEBUG || debug);
      quiet = parseBoolean(processEnv.DOTENV_CONFIG_QUIET || quiet);
      if (debug || !quiet) {
        const keysCount = Object.keys(populated).length;
        const shortPaths = [];
        for (const filePath of optionPaths) {
          try {
            const relative = path.relative(process.cwd(), filePath);
            shortPaths.push(relative);
          } catch (e) {
            if (debug) {
              _debug(`failed to load ${filePath} ${e.message}`);
            }
            lastError = e;
          }
        }
        _log(`injected env (${keysCount}) from ${shortPaths.join(",")} ${dim2(`// tip: ${_getRandomTip()}`)}`);
      }
      if (lastError) {
        return { parsed: parsedAll, error: lastError };
      } else {
        return { parsed: parsedAll };
      }
    }
    function config(options) {
      if (_dotenvKey(options).length === 0) {
        return DotenvModule.configDotenv(options);
      }
      const vaultPath = _vaultPath(options);
      if (!vaultPath) {
        _warn(`you set DOTENV_KEY but you are missing a .env.vault file at ${vaultPath}`);
        return DotenvModule.configDotenv(options);
      }
      return DotenvModule._configVault(options);
    }
    function decrypt(encrypted, keyStr) {
      const key = Buffer.from(keyStr.slice(-64), "hex");
      let ciphertext = Buffer.from(encrypted, "base64");
      const nonce = ciphertext.subarray(0, 12);
      const authTag = ciphertext.subarray(-16);
      ciphertext = ciphertext.subarray(12, -16);
      try {
        const aesgcm = crypto.createDecipheriv("aes-256-gcm", key, nonce);
        aesgcm.setAuthTag(authTag);
        return `${aesgcm.update(ciphertext)}${aesgcm.final()}`;
      } catch (error) {
        const isRange = error instanceof RangeError;
        const invalidKeyLength = error.message === "Invalid key length";
        const decryptionFailed = error.message === "Unsupported state or unable to authenticate data";
        if (isRange || invalidKeyLength) {
          const err = new Error("INVALID_DOTENV_KEY: It must be 64 characters long (or more)");
          err.code = "INVALID_DOTENV_KEY";
          throw err;
        } else if (decryptionFailed) {
          const err = new Error("DECRYPTION_FAILED: Please check your DOTENV_KEY");
          err.code = "DECRYPTION_FAILED";
          throw err;
        } else {
          throw error;
        }
      }
    }
    function populate(processEnv, parsed, options = {}) {
      const debug = Boolean(options && options.debug);
      const override = Boolean(options && options.override);
      const populated = {};
      if (typeof parsed !== "object") {
        const err = new Error("OBJECT_REQUIRED: Please check the processEnv argument being passed to populate");
        err.code = "OBJECT_REQUIRED";
        throw err;
      }
      for (const key of Object.keys(parsed)) {
        if (Object.prototype.hasOwnProperty.call(processEnv, key)) {
          if (override === true) {
            processEnv[key] = parsed[key];
            populated[key] = parsed[key];
          }
          if (debug) {
            if (override === true) {
              _debug(`"${key}" is already defined and WAS overwritten`);
            } else {
              _debug(`"${key}" is already defined and was NOT overwritten`);
            }
          }
        } else {
          processEnv[key] = parsed[key];
          populated[key] = parsed[key];
        }
      }
      return populated;
    }
    var DotenvModule = {
      configDotenv,
      _configVault,
      _parseVault,
      config,
      decrypt,
      parse,
      populate
    };
    module.exports.configDotenv = DotenvModule.configDotenv;
    module.exports._configVault = DotenvModule._configVault;
    module.exports._parseVault = DotenvModule._parseVault;
    module.exports.config = DotenvModule.config;
    module.exports.decrypt = DotenvModule.decrypt;
    module.exports.parse = DotenvModule.parse;
    module.exports.populate = DotenvModule.populate;
    module.exports = DotenvModule;
  }
});

// node_modules/eventemitter3/index.js
var require_eventemitter3 = __commonJS({
  "node_modules/eventemitter3/index.js"(exports, module) {
    "use strict";
    var has = Object.prototype.hasOwnProperty;
    var prefix = "~";
    function Events() {
    }
    if (Object.create) {
      Events.prototype = /* @__PURE__ */ Object.create(null);
      if (!new Events().__proto__) prefix = false;
    }
    function EE(fn, context, once) {
      this.fn = fn;
      this.context = context;
      this.once = once || false;
    }
    function addListener(emitter, event, fn, context, once) {
      if (typeof fn !== "function") {
        throw new TypeError("The listener must be a function");
      }
      var listener = new EE(fn, context || emitter, once), evt = prefix ? prefix + event : event;
      if (!emitter._events[evt]) emitter._events[evt] = listener, emitter._eventsCount++;
      else if (!emitter._events[evt].fn) emitter._events[evt].push(listener);
      else emitter._events[evt] = [emitter._events[evt], listener];
      return emitter;
    }
    function clearEvent(emitter, evt) {
      if (--emitter._eventsCount === 0) emitter._events = new Events();
      else delete emitter._events[evt];
    }
    function EventEmitter2() {
      this._events = new Events();
      this._eventsCount = 0;
    }
    EventEmitter2.prototype.eventNames = function eventNames() {
      var names = [], events, name;
      if (this._eventsCount === 0) return names;
      for (name in events = this._events) {
        if (has.call(events, name)) names.push(prefix ? name.slice(1) : name);
      }
      if (Object.getOwnPropertySymbols) {
        return names.concat(Object.getOwnPropertySymbols(events));
      }
      return names;
    };
    EventEmitter2.prototype.listeners = function listeners(event) {
      var evt = prefix ? prefix + event : event, handlers = this._events[evt];
      if (!handlers) return [];
      if (handlers.fn) return [handlers.fn];
      for (var i = 0, l = handlers.length, ee = new Array(l); i < l; i++) {
        ee[i] = handlers[i].fn;
      }
      return ee;
    };
    EventEmitter2.prototype.listenerCount = function listenerCount(event) {
      var evt = prefix ? prefix + event : event, listeners = this._events[evt];
      if (!listeners) return 0;
      if (listeners.fn) return 1;
      return listeners.length;
    };
    EventEmitter2.prototype.emit = function emit(event, a1, a2, a3, a4, a5) {
      var evt = prefix ? prefix + event : event;
      if (!this._events[evt]) return false;
      var listeners = this._events[evt], len = arguments.length, args, i;
      if (listeners.fn) {
        if (listeners.once) this.removeListener(event, listeners.fn, void 0, true);
        switch (len) {
          case 1:
            return listeners.fn.call(listeners.context), true;
          case 2:
            return listeners.fn.call(listeners.context, a1), true;
          case 3:
            return listeners.fn.call(listeners.context, a1, a2), true;
          case 4:
            return listeners.fn.call(listeners.context, a1, a2, a3), true;
          case 5:
            return listeners.fn.call(listeners.context, a1, a2, a3, a4), true;
          case 6:
            return listeners.fn.call(listeners.context, a1, a2, a3, a4, a5), true;
        }
        for (i = 1, args = new Array(len - 1); i < len; i++) {
          args[i - 1] = arguments[i];
        }
        listeners.fn.apply(listeners.context, args);
      } else {
        var length = listeners.length, j;
        for (i = 0; i < length; i++) {
          if (listeners[i].once) this.removeListener(event, listeners[i].fn, void 0, true);
          switch (len) {
            case 1:
              listeners[i].fn.call(listeners[i].context);
              break;
            case 2:
              listeners[i].fn.call(listeners[i].context, a1);
              break;
            case 3:
              listeners[i].fn.call(listeners[i].context, a1, a2);
              break;
            case 4:
              listeners[i].fn.call(listeners[i].context, a1, a2, a3);
              break;
            default:
              if (!args) for (j = 1, args = new Array(len - 1); j < len; j++) {
                args[j - 1] = arguments[j];
              }
              listeners[i].fn.apply(listeners[i].context, args);
          }
        }
      }
      return true;
    };
    EventEmitter2.prototype.on = function on(event, fn, context) {
      return addListener(this, event, fn, context, false);
    };
    EventEmitter2.prototype.once = function once(event, fn, context) {
      return addListener(this, event, fn, context, true);
    };
    EventEmitter2.prototype.removeListener = function removeListener(event, fn, context, once) {
      var evt = prefix ? prefix + event : event;
      if (!this._events[evt]) return this;
      if (!fn) {
        clearEvent(this, evt);
        return this;
      }
      var listeners = this._events[evt];
      if (listeners.fn) {
        if (listeners.fn === fn && (!once || listeners.once) && (!context || listeners.context === context)) {
          clearEvent(this, evt);
        }
      } else {
        for (var i = 0, events = [], length = listeners.length; i < length; i++) {
          if (listeners[i].fn !== fn || once && !listeners[i].once || context && listeners[i].context !== context) {
            events.push(listeners[i]);
          }
        }
        if (events.length) this._events[evt] = events.length === 1 ? events[0] : events;
        else clearEvent(this, evt);
      }
      return this;
    };
    EventEmitter2.prototype.removeAllListeners = function removeAllListeners(event) {
      var evt;
      if (event) {
        evt = prefix ? prefix + event : event;
        if (this._events[evt]) clearEvent(this, evt);
      } else {
        this._events = new Events();
        this._eventsCount = 0;
      }
      return this;
    };
    EventEmitter2.prototype.off = EventEmitter2.prototype.removeListener;
    EventEmitter2.prototype.addListener = EventEmitter2.prototype.on;
    EventEmitter2.prefixed = prefix;
    EventEmitter2.EventEmitter = EventEmitter2;
    if ("undefined" !== typeof module) {
      module.exports = EventEmitter2;
    }
  }
});

// node_modules/rfdc/index.js
var require_rfdc = __commonJS({
  "node_modules/rfdc/index.js"(exports, module) {
    "use strict";
    module.exports = rfdc2;
    function copyBuffer(cur) {
      if (cur instanceof Buffer) {
        return Buffer.from(cur);
      }
      return new cur.constructor(cur.buffer.slice(), cur.byteOffset, cur.length);
    }
    function rfdc2(opts) {
      opts = opts || {};
      if (opts.circles) return rfdcCircles(opts);
      const constructorHandlers = /* @__PURE__ */ new Map();
      constructorHandlers.set(Date, (o) => new Date(o));
      constructorHandlers.set(Map, (o, fn) => new Map(cloneArray(Array.from(o), fn)));
      constructorHandlers.set(Set, (o, fn) => new Set(cloneArray(Array.from(o), fn)));
      if (opts.constructorHandlers) {
        for (const handler2 of opts.constructorHandlers) {
          constructorHandlers.set(handler2[0], handler2[1]);
        }
      }
      let handler = null;
      return opts.proto ? cloneProto : clone2;
      function cloneArray(a, fn) {
        const keys = Object.keys(a);
        const a2 = new Array(keys.length);
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i];
          const cur = a[k];
          if (typeof cur !== "object" || cur === null) {
            a2[k] = cur;
          } else if (cur.constructor !== Object && (handler = constructorHandlers.get(cur.constructor))) {
            a2[k] = handler(cur, fn);
          } else if (ArrayBuffer.isView(cur)) {
            a2[k] = copyBuffer(cur);
          } else {
            a2[k] = fn(cur);
          }
        }
        return a2;
      }
      function clone2(o) {
        if (typeof o !== "object" || o === null) return o;
        if (Array.isArray(o)) return cloneArray(o, clone2);
        if (o.constructor !== Object && (handler = constructorHandlers.get(o.constructor))) {
          return handler(o, clone2);
        }
        const o2 = {};
        for (const k in o) {
          if (Object.hasOwnProperty.call(o, k) === false) continue;
          const cur = o[k];
          if (typeof cur !== "object" || cur === null) {
            o2[k] = cur;
          } else if (cur.constructor !== Object && (handler = constructorHandlers.get(cur.constructor))) {
            o2[k] = handler(cur, clone2);
          } else if (ArrayBuffer.isView(cur)) {
            o2[k] = copyBuffer(cur);
          } else {
            o2[k] = clone2(cur);
          }
        }
        return o2;
      }
      function cloneProto(o) {
        if (typeof o !== "object" || o === null) return o;
        if (Array.isArray(o)) return cloneArray(o, cloneProto);
        if (o.constructor !== Object && (handler = constructorHandlers.get(o.constructor))) {
          return handler(o, cloneProto);
        }
        const o2 = {};
        for (const k in o) {
          const cur = o[k];
          if (typeof cur !== "object" || cur === null) {
            o2[k] = cur;
          } else if (cur.constructor !== Object && (handler = constructorHandlers.get(cur.constructor))) {
            o2[k] = handler(cur, cloneProto);
          } else if (ArrayBuffer.isView(cur)) {
            o2[k] = copyBuffer(cur);
          } else {
            o2[k] = cloneProto(cur);
          }
        }
        return o2;
      }
    }
    function rfdcCircles(opts) {
      const refs = [];
      const refsNew = [];
      const constructorHandlers = /* @__PURE__ */ new Map();
      constructorHandlers.set(Date, (o) => new Date(o));
      constructorHandlers.set(Map, (o, fn) => new Map(cloneArray(Array.from(o), fn)));
      constructorHandlers.set(Set, (o, fn) => new Set(cloneArray(Array.from(o), fn)));
      if (opts.constructorHandlers) {
        for (const handler2 of opts.constructorHandlers) {
          constructorHandlers.set(handler2[0], handler2[1]);
        }
      }
      let handler = null;
      return opts.proto ? cloneProto : clone2;
      function cloneArray(a, fn) {
        const keys = Object.keys(a);
        const a2 = new Array(keys.length);
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i];
          const cur = a[k];
          if (typeof cur !== "object" || cur === null) {
            a2[k] = cur;
          } else if (cur.constructor !== Object && (handler = constructorHandlers.get(cur.constructor))) {
            a2[k] = handler(cur, fn);
          } else if (ArrayBuffer.isView(cur)) {
            a2[k] = copyBuffer(cur);
          } else {
            const index = refs.indexOf(cur);
            if (index !== -1) {
              a2[k] = refsNew[index];
            } else {
              a2[k] = fn(cur);
            }
          }
        }
        return a2;
      }
      function clone2(o) {
        if (typeof o !== "object" || o === null) return o;
        if (Array.isArray(o)) return cloneArray(o, clone2);
        if (o.constructor !== Object && (handler = constructorHandlers.get(o.constructor))) {
          return handler(o, clone2);
        }
        const o2 = {};
        refs.push(o);
        refsNew.push(o2);
        for (const k in o) {
          if (Object.hasOwnProperty.call(o, k) === false) continue;
          const cur = o[k];
          if (typeof cur !== "object" || cur === null) {
            o2[k] = cur;
          } else if (cur.constructor !== Object && (handler = constructorHandlers.get(cur.constructor))) {
            o2[k] = handler(cur, clone2);
          } else if (ArrayBuffer.isView(cur)) {
            o2[k] = copyBuffer(cur);
          } else {
            const i = refs.indexOf(cur);
            if (i !== -1) {
              o2[k] = refsNew[i];
            } else {
              o2[k] = clone2(cur);
            }
          }
        }
        refs.pop();
        refsNew.pop();
        return o2;
      }
      function cloneProto(o) {
        if (typeof o !== "object" || o === null) return o;
        if (Array.isArray(o)) return cloneArray(o, cloneProto);
        if (o.constructor !== Object && (handler = constructorHandlers.get(o.constructor))) {
          return handler(o, cloneProto);
        }
        const o2 = {};
        refs.push(o);
        refsNew.push(o2);
        for (const k in o) {
          const cur = o[k];
          if (typeof cur !== "object" || cur === null) {
            o2[k] = cur;
          } else if (cur.constructor !== Object && (handler = constructorHandlers.get(cur.constructor))) {
            o2[k] = handler(cur, cloneProto);
          } else if (ArrayBuffer.isView(cur)) {
            o2[k] = copyBuffer(cur);
          } else {
            const i = refs.indexOf(cur);
            if (i !== -1) {
              o2[k] = refsNew[i];
            } else {
              o2[k] = cloneProto(cur);
            }
          }
        }
        refs.pop();
        refsNew.pop();
        return o2;
      }
    }
  }
});

// src/cli/main.ts
var import_dotenv = __toESM(require_main(), 1);
import { readFileSync } from "node:fs";

// node_modules/eventemitter3/index.mjs
var import_index = __toESM(require_eventemitter3(), 1);
var eventemitter3_default = import_index.default;

// node_modules/colorette/index.js
import * as tty from "tty";
var {
  env = {},
  argv = [],
  platform = ""
} = typeof process === "undefined" ? {} : process;
var isDisabled = "NO_COLOR" in env || argv.includes("--no-color");
var isForced = "FORCE_COLOR" in env || argv.includes("--color");
var isWindows = platform === "win32";
var isDumbTerminal = env.TERM === "dumb";
var isCompatibleTerminal = tty && tty.isatty && tty.isatty(1) && env.TERM && !isDumbTerminal;
var isCI = "CI" in env && ("GITHUB_ACTIONS" in env || "GITLAB_CI" in env || "CIRCLECI" in env);
var isColorSupported = !isDisabled && (isForced || isWindows && !isDumbTerminal || isCompatibleTerminal || isCI);
var replaceClose = (index, string, close, replace, head = string.substring(0, index) + replace, tail = string.substring(index + close.length), next = tail.indexOf(close)) => head + (next < 0 ? tail : replaceClose(next, tail, close, replace));
var clearBleed = (index, string, open, close, replace) => index < 0 ? open + string + close : open + replaceClose(index, string, close, replace) + close;
var filterEmpty = (open, close, replace = open, at = open.length + 1) => (string) => string || !(string === "" || string === void 0) ? clearBleed(
  ("" + string).indexOf(close, at),
  string,
  open,
  close,
  replace
) : "";
var init = (open, close, replace) => filterEmpty(`\x1B[${open}m`, `\x1B[${close}m`, replace);
var colors = {
  reset: init(0, 0),
  bold: init(1, 22, "\x1B[22m\x1B[1m"),
  dim: init(2, 22, "\x1B[22m\x1B[2m"),
  italic: init(3, 23),
  underline: init(4, 24),
  inverse: init(7, 27),
  hidden: init(8, 28),
  strikethrough: init(9, 29),
  black: init(30, 39),
  red: init(31, 39),
  green: init(32, 39),
  yellow: init(33, 39),
  blue: init(34, 39),
  magenta: init(35, 39),
  cyan: init(36, 39),
  white: init(37, 39),
  gray: init(90, 39),
  bgBlack: init(40, 49),
  bgRed: init(41, 49),
  bgGreen: init(42, 49),
  bgYellow: init(43, 49),
  bgBlue: init(44, 49),
  bgMagenta: init(45, 49),
  bgCyan: init(46, 49),
  bgWhite: init(47, 49),
  blackBright: init(90, 39),
  redBright: init(91, 39),
  greenBright: init(92, 39),
  yellowBright: init(93, 39),
  blueBright: init(94, 39),
  magentaBright: init(95, 39),
  cyanBright: init(96, 39),
  whiteBright: init(97, 39),
  bgBlackBright: init(100, 49),
  bgRedBright: init(101, 49),
  bgGreenBright: init(102, 49),
  bgYellowBright: init(103, 49),
  bgBlueBright: init(104, 49),
  bgMagentaBright: init(105, 49),
  bgCyanBright: init(106, 49),
  bgWhiteBright: init(107, 49)
};
var createColors = ({ useColor = isColorSupported } = {}) => useColor ? colors : Object.keys(colors).reduce(
  (colors2, key) => ({ ...colors2, [key]: String }),
  {}
);
var {
  reset,
  bold,
  dim,
  italic,
  underline,
  inverse,
  hidden,
  strikethrough,
  black,
  red,
  green,
  yellow,
  blue,
  magenta,
  cyan,
  white,
  gray,
  bgBlack,
  bgRed,
  bgGreen,
  bgYellow,
  bgBlue,
  bgMagenta,
  bgCyan,
  bgWhite,
  blackBright,
  redBright,
  greenBright,
  yellowBright,
  blueBright,
  magentaBright,
  cyanBright,
  whiteBright,
  bgBlackBright,
  bgRedBright,
  bgGreenBright,
  bgYellowBright,
  bgBlueBright,
  bgMagentaBright,
  bgCyanBright,
  bgWhiteBright
} = createColors();

// node_modules/listr2/dist/index.js
var import_rfdc = __toESM(require_rfdc(), 1);
import { format } from "util";
import { EOL } from "os";
import { StringDecoder } from "string_decoder";
import { Writable } from "stream";
import { randomUUID } from "crypto";
var ANSI_ESCAPE = "\x1B[";
var ANSI_ESCAPE_CODES = {
  CURSOR_HIDE: ANSI_ESCAPE + "?25l",
  CURSOR_SHOW: ANSI_ESCAPE + "?25h"
};
var ListrEnvironmentVariables = /* @__PURE__ */ (function(ListrEnvironmentVariables$1) {
  ListrEnvironmentVariables$1["FORCE_UNICODE"] = "LISTR_FORCE_UNICODE";
  ListrEnvironmentVariables$1["FORCE_TTY"] = "LISTR_FORCE_TTY";
  ListrEnvironmentVariables$1["DISABLE_COLOR"] = "NO_COLOR";
  ListrEnvironmentVariables$1["FORCE_COLOR"] = "FORCE_COLOR";
  return ListrEnvironmentVariables$1;
})({});
var ListrErrorTypes = /* @__PURE__ */ (function(ListrErrorTypes$1) {
  ListrErrorTypes$1["WILL_RETRY"] = "WILL_RETRY";
  ListrErrorTypes$1["WILL_ROLLBACK"] = "WILL_ROLLBACK";
  ListrErrorTypes$1["HAS_FAILED_TO_ROLLBACK"] = "HAS_FAILED_TO_ROLLBACK";
  ListrErrorTypes$1["HAS_FAILED"] = "HAS_FAILED";
  ListrErrorTypes$1["HAS_FAILED_WITHOUT_ERROR"] = "HAS_FAILED_WITHOUT_ERROR";
  return ListrErrorTypes$1;
})({});
var ListrEventType = /* @__PURE__ */ (function(ListrEventType$1) {
  ListrEventType$1["SHOULD_REFRESH_RENDER"] = "SHOUD_REFRESH_RENDER";
  return ListrEventType$1;
})({});
var ListrRendererSelection = /* @__PURE__ */ (function(ListrRendererSelection$1) {
  ListrRendererSelection$1["PRIMARY"] = "PRIMARY";
  ListrRendererSelection$1["SECONDARY"] = "SECONDARY";
  ListrRendererSelection$1["SILENT"] = "SILENT";
  return ListrRendererSelection$1;
})({});
var ListrTaskEventType = /* @__PURE__ */ (function(ListrTaskEventType$1) {
  ListrTaskEventType$1["TITLE"] = "TITLE";
  ListrTaskEventType$1["STATE"] = "STATE";
  ListrTaskEventType$1["ENABLED"] = "ENABLED";
  ListrTaskEventType$1["SUBTASK"] = "SUBTASK";
  ListrTaskEventType$1["PROMPT"] = "PROMPT";
  ListrTaskEventType$1["OUTPUT"] = "OUTPUT";
  ListrTaskEventType$1["MESSAGE"] = "MESSAGE";
  ListrTaskEventType$1["CLOSED"] = "CLOSED";
  return ListrTaskEventType$1;
})({});
var ListrTaskState = /* @__PURE__ */ (function(ListrTaskState$1) {
  ListrTaskState$1["WAITING"] = "WAITING";
  ListrTaskState$1["STARTED"] = "STARTED";
  ListrTaskState$1["COMPLETED"] = "COMPLETED";
  ListrTaskState$1["FAILED"] = "FAILED";
  ListrTaskState$1["SKIPPED"] = "SKIPPED";
  ListrTaskState$1["ROLLING_BACK"] = "ROLLING_BACK";
  ListrTaskState$1["ROLLED_BACK"] = "ROLLED_BACK";
  ListrTaskState$1["RETRY"] = "RETRY";
  ListrTaskState$1["PAUSED"] = "PAUSED";
  ListrTaskState$1["PROMPT"] = "PROMPT";
  ListrTaskState$1["PROMPT_COMPLETED"] = "PROMPT_COMPLETED";
  ListrTaskState$1["PROMPT_FAILED"] = "PROMPT_FAILED";
  return ListrTaskState$1;
})({});
var EventManager = class {
  emitter = new eventemitter3_default();
  emit(dispatch, args) {
    this.emitter.emit(dispatch, args);
  }
  on(dispatch, handler) {
    this.emitter.addListener(dispatch, handler);
  }
  once(dispatch, handler) {
    this.emitter.once(dispatch, handler);
  }
  off(dispatch, handler) {
    this.emitter.off(dispatch, handler);
  }
  complete() {
    this.emitter.removeAllListeners();
  }
};
function isObservable(obj) {
  return !!obj && typeof obj === "object" && typeof obj.subscribe === "function";
}
function isReadable(obj) {
  return !!obj && typeof obj === "object" && obj.readable === true && typeof obj.read === "function" && typeof obj.on === "function";
}
function isUnicodeSupported() {
  return !!process.env[ListrEnvironmentVariables.FORCE_UNICODE] || process.platform !== "win32" || !!process.env.CI || !!process.env.WT_SESSION || process.env.TERM_PROGRAM === "vscode" || process.env.TERM === "xterm-256color" || process.env.TERM === "alacritty";
}
var CLEAR_LINE_REGEX = "(?:\\u001b|\\u009b)\\[[\\=><~/#&.:=?%@~_-]*[0-9]*[\\a-ln-tqyz=><~/#&.:=?%@~_-]+";
var BELL_REGEX = /\u0007/;
function cleanseAnsi(chunk) {
  return String(chunk).replace(new RegExp(CLEAR_LINE_REGEX, "gmi"), "").replace(new RegExp(BELL_REGEX, "gmi"), "").trim();
}
var color = createColors();
function indent(string, count) {
  return string.replace(/^(?!\s*$)/gm, " ".repeat(count));
}
var FIGURES_MAIN = {
  warning: "\u26A0",
  cross: "\u2716",
  arrowDown: "\u2193",
  tick: "\u2714",
  arrowRight: "\u2192",
  pointer: "\u276F",
  checkboxOn: "\u2612",
  arrowLeft: "\u2190",
  squareSmallFilled: "\u25FC",
  pointerSmall: "\u203A"
};
var FIGURES_FALLBACK = {
  ...FIGURES_MAIN,
  warning: "\u203C",
  cross: "\xD7",
  tick: "\u221A",
  pointer: ">",
  checkboxOn: "[\xD7]",
  squareSmallFilled: "\u25A0"
};
var figures = isUnicodeSupported() ? FIGURES_MAIN : FIGURES_FALLBACK;
function splat(message, ...splat$1) {
  return format(String(message), ...splat$1);
}
var ListrLogLevels = /* @__PURE__ */ (function(ListrLogLevels$1) {
  ListrLogLevels$1["STARTED"] = "STARTED";
  ListrLogLevels$1["COMPLETED"] = "COMPLETED";
  ListrLogLevels$1["FAILED"] = "FAILED";
  ListrLogLevels$1["SKIPPED"] = "SKIPPED";
  ListrLogLevels$1["OUTPUT"] = "OUTPUT";
  ListrLogLevels$1["TITLE"] = "TITLE";
  ListrLogLevels$1["ROLLBACK"] = "ROLLBACK";
  ListrLogLevels$1["RETRY"] = "RETRY";
  ListrLogLevels$1["PROMPT"] = "PROMPT";
  ListrLogLevels$1["PAUSED"] = "PAUSED";
  return ListrLogLevels$1;
})({});
var LISTR_LOGGER_STYLE = {
  icon: {
    [ListrLogLevels.STARTED]: figures.pointer,
    [ListrLogLevels.FAILED]: figures.cross,
    [ListrLogLevels.SKIPPED]: figures.arrowDown,
    [ListrLogLevels.COMPLETED]: figures.tick,
    [ListrLogLevels.OUTPUT]: figures.pointerSmall,
    [ListrLogLevels.TITLE]: figures.arrowRight,
    [ListrLogLevels.RETRY]: figures.warning,
    [ListrLogLevels.ROLLBACK]: figures.arrowLeft,
    [ListrLogLevels.PAUSED]: figures.squareSmallFilled
  },
  color: {
    [ListrLogLevels.STARTED]: color.yellow,
    [ListrLogLevels.FAILED]: color.red,
    [ListrLogLevels.SKIPPED]: color.yellow,
    [ListrLogLevels.COMPLETED]: color.green,
    [ListrLogLevels.RETRY]: color.yellowBright,
    [ListrLogLevels.ROLLBACK]: color.redBright,
    [ListrLogLevels.PAUSED]: color.yellowBright
  }
};
var LISTR_LOGGER_STDERR_LEVELS = [
  ListrLogLevels.RETRY,
  ListrLogLevels.ROLLBACK,
  ListrLogLevels.FAILED
];
var ListrLogger = class {
  process;
  constructor(options) {
    this.options = options;
    this.options = {
      useIcons: true,
      toStderr: [],
      ...options ?? {}
    };
    this.options.fields ??= {};
    this.options.fields.prefix ??= [];
    this.options.fields.suffix ??= [];
    this.process = this.options.processOutput ?? new ProcessOutput();
  }
  log(level, message, options) {
    const output = this.format(level, message, options);
    if (this.options.toStderr.includes(level)) {
      this.process.toStderr(output);
      return;
    }
    this.process.toStdout(output);
  }
  toStdout(message, options, eol = true) {
    this.process.toStdout(this.format(null, message, options), eol);
  }
  toStderr(message, options, eol = true) {
    this.process.toStderr(this.format(null, message, options), eol);
  }
  wrap(message, options) {
    if (!message) return message;
    return this.applyFormat(`[${message}]`, options);
  }
  splat(...args) {
    const message = args.shift() ?? "";
    return args.length === 0 ? message : splat(message, args);
  }
  suffix(message, ...suffixes) {
    suffixes.filter(Boolean).forEach((suffix) => {
      message += this.spacing(message);
      if (typeof suffix === "string") message += this.wrap(suffix);
      else if (typeof suffix === "object") {
        suffix.args ??= [];
        if (typeof suffix.condition === "function" ? !suffix.condition(...suffix.args) : !(suffix.condition ?? true)) return message;
        message += this.wrap(typeof suffix.field === "function" ? suffix.field(...suffix.args) : suffix.field, { format: suffix?.format(...suffix.args) });
      }
    });
    return message;
  }
  prefix(message, ...prefixes) {
    prefixes.filter(Boolean).forEach((prefix) => {
      message = this.spacing(message) + message;
      if (typeof prefix === "string") message = this.wrap(prefix) + message;
      else if (typeof prefix === "object") {
        prefix.args ??= [];
        if (typeof prefix.condition === "function" ? !prefix.condition(...prefix.args) : !(prefix.condition ?? true)) return message;
        message = this.wrap(typeof prefix.field === "function" ? prefix.field(...prefix.args) : prefix.field, { format: prefix?.format() }) + message;
      }
    });
    return message;
  }
  fields(message, options) {
    if (this.options?.fields?.prefix) message = this.prefix(message, ...this.options.fields.prefix);
    if (options?.prefix) message = this.prefix(message, ...options.prefix);
    if (options?.suffix) message = this.suffix(message, ...options.suffix);
    if (this.options?.fields?.suffix) message = this.suffix(message, ...this.options.fields.suffix);
    return message;
  }
  icon(level, icon) {
    if (!level) return null;
    if (!icon) {
      const i = this.options.icon?.[level];
      icon = typeof i === "function" ? i() : i;
    }
    const coloring = this.options.color?.[level];
    if (icon && coloring) icon = coloring(icon);
    return icon;
  }
  format(level, message, options) {
    if (!Array.isArray(message)) message = [message];
    message = this.splat(message.shift(), ...message).toString().split(EOL).filter((m) => !m || m.trim() !== "").map((m) => {
      return this.style(level, this.fields(m, {
        prefix: Array.isArray(options?.prefix) ? options.prefix : [options?.prefix],
        suffix: Array.isArray(options?.suffix) ? options.suffix : [options?.suffix]
      }));
    }).join(EOL);
    return message;
  }
  style(level, message) {
    if (!level || !message) return message;
    const icon = this.icon(level, !this.options.useIcons && this.wrap(level));
    if (icon) message = icon + " " + message;
    return message;
  }
  applyFormat(message, options) {
    if (options?.format) return options.format(message);
    return message;
  }
  spacing(message) {
    return typeof message === "undefined" || message.trim() === "" ? "" : " ";
  }
};
var ProcessOutputBuffer = class {
  buffer = [];
  decoder = new StringDecoder();
  constructor(options) {
    this.options = options;
  }
  get all() {
    return this.buffer;
  }
  get last() {
    return this.buffer.at(-1);
  }
  get length() {
    return this.buffer.length;
  }
  write(data, ...args) {
    const callback = args[args.length - 1];
    this.buffer.push({
      time: Date.now(),
      stream: this.options?.stream,
      entry: this.decoder.write(typeof data === "string" ? Buffer.from(data, typeof args[0] === "string" ? args[0] : void 0) : Buffer.from(data))
    });
    if (this.options?.limit) this.buffer = this.buffer.slice(-this.options.limit);
    if (typeof callback === "function") callback();
    return true;
  }
  reset() {
    this.buffer = [];
  }
};
var ProcessOutputStream = class {
  method;
  buffer;
  constructor(stream) {
    this.stream = stream;
    this.method = stream.write;
    this.buffer = new ProcessOutputBuffer({ stream });
  }
  get out() {
    return Object.assign({}, this.stream, { write: this.write.bind(this) });
  }
  hijack() {
    this.stream.write = this.buffer.write.bind(this.buffer);
  }
  release() {
    this.stream.write = this.method;
    const buffer = [...this.buffer.all];
    this.buffer.reset();
    return buffer;
  }
  write(...args) {
    return this.method.apply(this.stream, args);
  }
};
var ProcessOutput = class {
  stream;
  active;
  constructor(stdout, stderr, options) {
    this.options = options;
    this.stream = {
      stdout: new ProcessOutputStream(stdout ?? process.stdout),
      stderr: new ProcessOutputStream(stderr ?? process.stderr)
    };
    this.options = {
      dump: ["stdout", "stderr"],
      leaveEmptyLine: true,
      ...options
    };
  }
  get stdout() {
    return this.stream.stdout.out;
  }
  get stderr() {
    return this.stream.stderr.out;
  }
  hijack() {
    if (this.active) throw new Error("ProcessOutput has been already hijacked!");
    this.stream.stdout.write(ANSI_ESCAPE_CODES.CURSOR_HIDE);
    Object.values(this.stream).forEach((stream) => stream.hijack());
    this.active = true;
  }
  release() {
    const output = Object.entries(this.stream).map(([name, stream]) => ({
      name,
      buffer: stream.release()
    })).filter((output$1) => this.options.dump.includes(output$1.name)).flatMap((output$1) => output$1.buffer).sort((a, b) => a.time - b.time).map((message) => {
      return {
        ...message,
        entry: cleanseAnsi(message.entry)
      };
    }).filter((message) => message.entry);
    if (output.length > 0) {
      if (this.options.leaveEmptyLine) this.stdout.write(EOL);
      output.forEach((message) => {
        (message.stream ?? this.stdout).write(message.entry + EOL);
      });
    }
    this.stream.stdout.write(ANSI_ESCAPE_CODES.CURSOR_SHOW);
    this.active = false;
  }
  toStdout(buffer, eol = true) {
    if (eol) buffer = buffer + EOL;
    return this.stream.stdout.write(buffer);
  }
  toStderr(buffer, eol = true) {
    if (eol) buffer = buffer + EOL;
    return this.stream.stderr.write(buffer);
  }
};
function createWritable(cb) {
  const writable = new Writable();
  writable.rows = Infinity;
  writable.columns = Infinity;
  writable.write = (chunk) => {
    cb(chunk.toString());
    return true;
  };
  return writable;
}
var Spinner = class {
  spinner = !isUnicodeSupported() ? [
    "-",
    "\\",
    "|",
    "/"
  ] : [
    "\u280B",
    "\u2819",
    "\u2839",
    "\u2838",
    "\u283C",
    "\u2834",
    "\u2826",
    "\u2827",
    "\u2807",
    "\u280F"
  ];
  id;
  spinnerPosition = 0;
  spin() {
    this.spinnerPosition = ++this.spinnerPosition % this.spinner.length;
  }
  fetch() {
    return this.spinner[this.spinnerPosition];
  }
  isRunning() {
    return !!this.id;
  }
  start(cb, interval = 100) {
    this.id = setInterval(() => {
      this.spin();
      if (cb) cb();
    }, interval);
  }
  stop() {
    clearInterval(this.id);
  }
};
var ListrDefaultRendererLogLevels = /* @__PURE__ */ (function(ListrDefaultRendererLogLevels$1) {
  ListrDefaultRendererLogLevels$1["SKIPPED_WITH_COLLAPSE"] = "SKIPPED_WITH_COLLAPSE";
  ListrDefaultRendererLogLevels$1["SKIPPED_WITHOUT_COLLAPSE"] = "SKIPPED_WITHOUT_COLLAPSE";
  ListrDefaultRendererLogLevels$1["OUTPUT"] = "OUTPUT";
  ListrDefaultRendererLogLevels$1["OUTPUT_WITH_BOTTOMBAR"] = "OUTPUT_WITH_BOTTOMBAR";
  ListrDefaultRendererLogLevels$1["PENDING"] = "PENDING";
  ListrDefaultRendererLogLevels$1["COMPLETED"] = "COMPLETED";
  ListrDefaultRendererLogLevels$1["COMPLETED_WITH_FAILED_SUBTASKS"] = "COMPLETED_WITH_FAILED_SUBTASKS";
  ListrDefaultRendererLogLevels$1["COMPLETED_WITH_FAILED_SISTER_TASKS"] = "COMPLETED_WITH_SISTER_TASKS_FAILED";
  ListrDefaultRendererLogLevels$1["RETRY"] = "RETRY";
  ListrDefaultRendererLogLevels$1["ROLLING_BACK"] = "ROLLING_BACK";
  ListrDefaultRendererLogLevels$1["ROLLED_BACK"] = "ROLLED_BACK";
  ListrDefaultRendererLogLevels$1["FAILED"] = "FAILED";
  ListrDefaultRendererLogLevels$1["FAILED_WITH_FAILED_SUBTASKS"] = "FAILED_WITH_SUBTASKS";
  ListrDefaultRendererLogLevels$1["WAITING"] = "WAITING";
  ListrDefaultRendererLogLevels$1["PAUSED"] = "PAUSED";
  return ListrDefaultRendererLogLevels$1;
})({});
var LISTR_DEFAULT_RENDERER_STYLE = {
  icon: {
    [ListrDefaultRendererLogLevels.SKIPPED_WITH_COLLAPSE]: figures.arrowDown,
    [ListrDefaultRendererLogLevels.SKIPPED_WITHOUT_COLLAPSE]: figures.warning,
    [ListrDefaultRendererLogLevels.OUTPUT]: figures.pointerSmall,
    [ListrDefaultRendererLogLevels.OUTPUT_WITH_BOTTOMBAR]: figures.pointerSmall,
    [ListrDefaultRendererLogLevels.PENDING]: figures.pointer,
    [ListrDefaultRendererLogLevels.COMPLETED]: figures.tick,
    [ListrDefaultRendererLogLevels.COMPLETED_WITH_FAILED_SUBTASKS]: figures.warning,
    [ListrDefaultRendererLogLevels.COMPLETED_WITH_FAILED_SISTER_TASKS]: figures.squareSmallFilled,
    [ListrDefaultRendererLogLevels.RETRY]: figures.warning,
    [ListrDefaultRendererLogLevels.ROLLING_BACK]: figures.warning,
    [ListrDefaultRendererLogLevels.ROLLED_BACK]: figures.arrowLeft,
    [ListrDefaultRendererLogLevels.FAILED]: figures.cross,
    [ListrDefaultRendererLogLevels.FAILED_WITH_FAILED_SUBTASKS]: figures.pointer,
    [ListrDefaultRendererLogLevels.WAITING]: figures.squareSmallFilled,
    [ListrDefaultRendererLogLevels.PAUSED]: figures.squareSmallFilled
  },
  color: {
    [ListrDefaultRendererLogLevels.SKIPPED_WITH_COLLAPSE]: color.yellow,
    [ListrDefaultRendererLogLevels.SKIPPED_WITHOUT_COLLAPSE]: color.yellow,
    [ListrDefaultRendererLogLevels.PENDING]: color.yellow,
    [ListrDefaultRendererLogLevels.COMPLETED]: color.green,
    [ListrDefaultRendererLogLevels.COMPLETED_WITH_FAILED_SUBTASKS]: color.yellow,
    [ListrDefaultRendererLogLevels.COMPLETED_WITH_FAILED_SISTER_TASKS]: color.red,
    [ListrDefaultRendererLogLevels.RETRY]: color.yellowBright,
    [ListrDefaultRendererLogLevels.ROLLING_BACK]: color.redBright,
    [ListrDefaultRendererLogLevels.ROLLED_BACK]: color.redBright,
    [ListrDefaultRendererLogLevels.FAILED]: color.red,
    [ListrDefaultRendererLogLevels.FAILED_WITH_FAILED_SUBTASKS]: color.red,
    [ListrDefaultRendererLogLevels.WAITING]: color.dim,
    [ListrDefaultRendererLogLevels.PAUSED]: color.yellowBright
  }
};
function parseTimer(duration) {
  const seconds2 = Math.floor(duration / 1e3);
  const minutes = Math.floor(seconds2 / 60);
  let parsedTime;
  if (seconds2 === 0 && minutes === 0) parsedTime = `0.${Math.floor(duration / 100)}s`;
  if (seconds2 > 0) parsedTime = `${seconds2 % 60}s`;
  if (minutes > 0) parsedTime = `${minutes}m${parsedTime}`;
  return parsedTime;
}
var PRESET_TIMER = {
  condition: true,
  field: parseTimer,
  format: () => color.dim
};
var DefaultRenderer = class DefaultRenderer2 {
  static nonTTY = false;
  static rendererOptions = {
    indentation: 2,
    clearOutput: false,
    showSubtasks: true,
    collapseSubtasks: true,
    collapseSkips: true,
    showSkipMessage: true,
    suffixSkips: false,
    collapseErrors: true,
    showErrorMessage: true,
    suffixRetries: true,
    lazy: false,
    removeEmptyLines: true,
    formatOutput: "wrap",
    pausedTimer: {
      ...PRESET_TIMER,
      format: () => color.yellowBright
    }
  };
  static rendererTaskOptions = { outputBar: true };
  prompt;
  activePrompt;
  spinner;
  logger;
  updater;
  truncate;
  wrap;
  buffer = {
    output: /* @__PURE__ */ new Map(),
    bottom: /* @__PURE__ */ new Map()
  };
  cache = {
    render: /* @__PURE__ */ new Map(),
    rendererOptions: /* @__PURE__ */ new Map(),
    rendererTaskOptions: /* @__PURE__ */ new Map()
  };
  constructor(tasks, options, events) {
    this.tasks = tasks;
    this.options = options;
    this.events = events;
    this.options = {
      ...DefaultRenderer2.rendererOptions,
      ...this.options,
      icon: {
        ...LISTR_DEFAULT_RENDERER_STYLE.icon,
        ...options?.icon ?? {}
      },
      color: {
        ...LISTR_DEFAULT_RENDERER_STYLE.color,
        ...options?.color ?? {}
      }
    };
    this.spinner = this.options.spinner ?? new Spinner();
    this.logger = this.options.logger ?? new ListrLogger({
      useIcons: true,
      toStderr: []
    });
    this.logger.options.icon = this.options.icon;
    this.logger.options.color = this.options.color;
  }
  async render() {
    const { createLogUpdate } = await import("./log-update-VLFCOEPO.js");
    const { default: truncate } = await import("./cli-truncate-CI5EBOZC.js");
    const { default: wrap } = await import("./wrap-ansi-YDRQFGMP.js");
    this.updater = createLogUpdate(this.logger.process.stdout);
    this.truncate = truncate;
    this.wrap = wrap;
    this.logger.process.hijack();
    if (!this.options?.lazy) this.spinner.start(() => {
      this.update();
    });
    this.events.on(ListrEventType.SHOULD_REFRESH_RENDER, () => {
      this.update();
    });
  }
  update() {
    this.updater(this.create());
  }
  end() {
    this.spinner.stop();
    this.updater.clear();
    this.updater.done();
    if (!this.options.clearOutput) this.logger.process.toStdout(this.create({ prompt: false }));
    this.logger.process.release();
  }
  create(options) {
    options = {
      tasks: true,
      bottomBar: true,
      prompt: true,
      ...options
    };
    const render = [];
    const renderTasks = this.renderer(this.tasks);
    const renderBottomBar = this.renderBottomBar();
    const renderPrompt = this.renderPrompt();
    if (options.tasks && renderTasks.length > 0) render.push(...renderTasks);
    if (options.bottomBar && renderBottomBar.length > 0) {
      if (render.length > 0) render.push("");
      render.push(...renderBottomBar);
    }
    if (options.prompt && renderPrompt.length > 0) {
      if (render.length > 0) render.push("");
      render.push(...renderPrompt);
    }
    return render.join(EOL);
  }
  style(task, output = false) {
    const rendererOptions = this.cache.rendererOptions.get(task.id);
    if (task.isSkipped()) {
      if (output || rendererOptions.collapseSkips) return this.logger.icon(ListrDefaultRendererLogLevels.SKIPPED_WITH_COLLAPSE);
      else if (rendererOptions.collapseSkips === false) return this.logger.icon(ListrDefaultRendererLogLevels.SKIPPED_WITHOUT_COLLAPSE);
    }
    if (output) {
      if (this.shouldOutputToBottomBar(task)) return this.logger.icon(ListrDefaultRendererLogLevels.OUTPUT_WITH_BOTTOMBAR);
      return this.logger.icon(ListrDefaultRendererLogLevels.OUTPUT);
    }
    if (task.hasSubtasks()) {
      if (task.isStarted() || task.isPrompt() && rendererOptions.showSubtasks !== false && !task.subtasks.every((subtask) => !subtask.hasTitle())) return this.logger.icon(ListrDefaultRendererLogLevels.PENDING);
      else if (task.isCompleted() && task.subtasks.some((subtask) => subtask.hasFailed())) return this.logger.icon(ListrDefaultRendererLogLevels.COMPLETED_WITH_FAILED_SUBTASKS);
      else if (task.hasFailed()) return this.logger.icon(ListrDefaultRendererLogLevels.FAILED_WITH_FAILED_SUBTASKS);
    }
    if (task.isStarted() || task.isPrompt()) return this.logger.icon(ListrDefaultRendererLogLevels.PENDING, !this.options?.lazy && this.spinner.fetch());
    else if (task.isCompleted()) return this.logger.icon(ListrDefaultRendererLogLevels.COMPLETED);
    else if (task.isRetrying()) return this.logger.icon(ListrDefaultRendererLogLevels.RETRY, !this.options?.lazy && this.spinner.fetch());
    else if (task.isRollingBack()) return this.logger.icon(ListrDefaultRendererLogLevels.ROLLING_BACK, !this.options?.lazy && this.spinner.fetch());
    else if (task.hasRolledBack()) return this.logger.icon(ListrDefaultRendererLogLevels.ROLLED_BACK);
    else if (task.hasFailed()) return this.logger.icon(ListrDefaultRendererLogLevels.FAILED);
    else if (task.isPaused()) return this.logger.icon(ListrDefaultRendererLogLevels.PAUSED);
    return this.logger.icon(ListrDefaultRendererLogLevels.WAITING);
  }
  format(message, icon, level) {
    if (message.trim() === "") return [];
    if (icon) message = icon + " " + message;
    let parsed;
    const columns = (process.stdout.columns ?? 80) - level * this.options.indentation - 2;
    switch (this.options.formatOutput) {
      case "truncate":
        parsed = message.split(EOL).map((s, i) => {
          return this.truncate(this.indent(s, i), columns);
        });
        break;
      case "wrap":
        parsed = this.wrap(message, columns, {
          hard: true,
          trim: false
        }).split(EOL).map((s, i) => this.indent(s, i));
        break;
      default:
        throw new ListrRendererError("Format option for the renderer is wrong.");
    }
    if (this.options.removeEmptyLines) parsed = parsed.filter(Boolean);
    return parsed.map((str) => indent(str, level * this.options.indentation));
  }
  shouldOutputToOutputBar(task) {
    const outputBar = this.cache.rendererTaskOptions.get(task.id).outputBar;
    return typeof outputBar === "number" && outputBar !== 0 || typeof outputBar === "boolean" && outputBar !== false;
  }
  shouldOutputToBottomBar(task) {
    const bottomBar = this.cache.rendererTaskOptions.get(task.id).bottomBar;
    return typeof bottomBar === "number" && bottomBar !== 0 || typeof bottomBar === "boolean" && bottomBar !== false || !task.hasTitle();
  }
  renderer(tasks, level = 0) {
    return tasks.flatMap((task) => {
      if (!task.isEnabled()) return [];
      if (this.cache.render.has(task.id)) return this.cache.render.get(task.id);
      this.calculate(task);
      this.setupBuffer(task);
      const rendererOptions = this.cache.rendererOptions.get(task.id);
      const rendererTaskOptions = this.cache.rendererTaskOptions.get(task.id);
      const output = [];
      if (task.isPrompt()) {
        if (this.activePrompt && this.activePrompt !== task.id) throw new ListrRendererError("Only one prompt can be active at the given time, please re-evaluate your task design.");
        else if (!this.activePrompt) {
          task.on(ListrTaskEventType.PROMPT, (prompt) => {
            const cleansed = cleanseAnsi(prompt);
            if (cleansed) this.prompt = cleansed;
          });
          task.on(ListrTaskEventType.STATE, (state) => {
            if (state === ListrTaskState.PROMPT_COMPLETED || task.hasFinalized() || task.hasReset()) {
              this.prompt = null;
              this.activePrompt = null;
              task.off(ListrTaskEventType.PROMPT);
            }
          });
          this.activePrompt = task.id;
        }
      }
      if (task.hasTitle()) if (!(tasks.some((task$1) => task$1.hasFailed()) && !task.hasFailed() && task.options.exitOnError !== false && !(task.isCompleted() || task.isSkipped()))) if (task.hasFailed() && rendererOptions.collapseErrors) output.push(...this.format(!task.hasSubtasks() && task.message.error && rendererOptions.showErrorMessage ? task.message.error : task.title, this.style(task), level));
      else if (task.isSkipped() && rendererOptions.collapseSkips) output.push(...this.format(this.logger.suffix(task.message.skip && rendererOptions.showSkipMessage ? task.message.skip : task.title, {
        field: ListrLogLevels.SKIPPED,
        condition: rendererOptions.suffixSkips,
        format: () => color.dim
      }), this.style(task), level));
      else if (task.isRetrying()) output.push(...this.format(this.logger.suffix(task.title, {
        field: `${ListrLogLevels.RETRY}:${task.message.retry.count}`,
        format: () => color.yellow,
        condition: rendererOptions.suffixRetries
      }), this.style(task), level));
      else if (task.isCompleted() && task.hasTitle() && assertFunctionOrSelf(rendererTaskOptions.timer?.condition, task.message.duration)) output.push(...this.format(this.logger.suffix(task?.title, {
        ...rendererTaskOptions.timer,
        args: [task.message.duration]
      }), this.style(task), level));
      else if (task.isPaused()) output.push(...this.format(this.logger.suffix(task.title, {
        ...rendererOptions.pausedTimer,
        args: [task.message.paused - Date.now()]
      }), this.style(task), level));
      else output.push(...this.format(task.title, this.style(task), level));
      else output.push(...this.format(task.title, this.logger.icon(ListrDefaultRendererLogLevels.COMPLETED_WITH_FAILED_SISTER_TASKS), level));
      if (!task.hasSubtasks() || !rendererOptions.showSubtasks) {
        if (task.hasFailed() && rendererOptions.collapseErrors === false && (rendererOptions.showErrorMessage || !rendererOptions.showSubtasks)) output.push(...this.dump(task, level, ListrLogLevels.FAILED));
        else if (task.isSkipped() && rendererOptions.collapseSkips === false && (rendererOptions.showSkipMessage || !rendererOptions.showSubtasks)) output.push(...this.dump(task, level, ListrLogLevels.SKIPPED));
      }
      if (task.isPending() || rendererTaskOptions.persistentOutput) output.push(...this.renderOutputBar(task, level));
      if (rendererOptions.showSubtasks !== false && task.hasSubtasks() && (task.isPending() || task.hasFinalized() && !task.hasTitle() || task.isCompleted() && rendererOptions.collapseSubtasks === false && !task.subtasks.some((subtask) => this.cache.rendererOptions.get(subtask.id)?.collapseSubtasks === true) || task.subtasks.some((subtask) => this.cache.rendererOptions.get(subtask.id)?.collapseSubtasks === false) || task.subtasks.some((subtask) => subtask.hasFailed()) || task.subtasks.some((subtask) => subtask.hasRolledBack()))) {
        const subtaskLevel = !task.hasTitle() ? level : level + 1;
        const subtaskRender = this.renderer(task.subtasks, subtaskLevel);
        output.push(...subtaskRender);
      }
      if (task.hasFinalized()) {
        if (!rendererTaskOptions.persistentOutput) {
          this.buffer.bottom.delete(task.id);
          this.buffer.output.delete(task.id);
        }
      }
      if (task.isClosed()) {
        this.cache.render.set(task.id, output);
        this.reset(task);
      }
      return output;
    });
  }
  renderOutputBar(task, level) {
    const output = this.buffer.output.get(task.id);
    if (!output) return [];
    return output.all.flatMap((o) => this.dump(task, level, ListrLogLevels.OUTPUT, o.entry));
  }
  renderBottomBar() {
    if (this.buffer.bottom.size === 0) return [];
    return Array.from(this.buffer.bottom.values()).flatMap((output) => output.all).sort((a, b) => a.time - b.time).map((output) => output.entry);
  }
  renderPrompt() {
    if (!this.prompt) return [];
    return [this.prompt];
  }
  calculate(task) {
    if (this.cache.rendererOptions.has(task.id) && this.cache.rendererTaskOptions.has(task.id)) return;
    const rendererOptions = {
      ...this.options,
      ...task.rendererOptions
    };
    this.cache.rendererOptions.set(task.id, rendererOptions);
    this.cache.rendererTaskOptions.set(task.id, {
      ...DefaultRenderer2.rendererTaskOptions,
      timer: rendererOptions.timer,
      ...task.rendererTaskOptions
    });
  }
  setupBuffer(task) {
    if (this.buffer.bottom.has(task.id) || this.buffer.output.has(task.id)) return;
    const rendererTaskOptions = this.cache.rendererTaskOptions.get(task.id);
    if (this.shouldOutputToBottomBar(task) && !this.buffer.bottom.has(task.id)) {
      this.buffer.bottom.set(task.id, new ProcessOutputBuffer({ limit: typeof rendererTaskOptions.bottomBar === "number" ? rendererTaskOptions.bottomBar : 1 }));
      task.on(ListrTaskEventType.OUTPUT, (output) => {
        const data = this.dump(task, -1, ListrLogLevels.OUTPUT, output);
        this.buffer.bottom.get(task.id).write(data.join(EOL));
      });
      task.on(ListrTaskEventType.STATE, (state) => {
        switch (state) {
          case (ListrTaskState.RETRY || ListrTaskState.ROLLING_BACK):
            this.buffer.bottom.delete(task.id);
            break;
        }
      });
    } else if (this.shouldOutputToOutputBar(task) && !this.buffer.output.has(task.id)) {
      this.buffer.output.set(task.id, new ProcessOutputBuffer({ limit: typeof rendererTaskOptions.outputBar === "number" ? rendererTaskOptions.outputBar : 1 }));
      task.on(ListrTaskEventType.OUTPUT, (output) => {
        this.buffer.output.get(task.id).write(output);
      });
      task.on(ListrTaskEventType.STATE, (state) => {
        switch (state) {
          case (ListrTaskState.RETRY || ListrTaskState.ROLLING_BACK):
            this.buffer.output.delete(task.id);
            break;
        }
      });
    }
  }
  reset(task) {
    this.cache.rendererOptions.delete(task.id);
    this.cache.rendererTaskOptions.delete(task.id);
    this.buffer.output.delete(task.id);
  }
  dump(task, level, source = ListrLogLevels.OUTPUT, data) {
    if (!data) switch (source) {
      case ListrLogLevels.OUTPUT:
        data = task.output;
        break;
      case ListrLogLevels.SKIPPED:
        data = task.message.skip;
        break;
      case ListrLogLevels.FAILED:
        data = task.message.error;
        break;
    }
    if (task.hasTitle() && source === ListrLogLevels.FAILED && data === task.title || typeof data !== "string") return [];
    if (source === ListrLogLevels.OUTPUT) data = cleanseAnsi(data);
    return this.format(data, this.style(task, true), level + 1);
  }
  indent(str, i) {
    return i > 0 ? indent(str.trimEnd(), this.options.indentation) : str.trimEnd();
  }
};
var SilentRenderer = class {
  static nonTTY = true;
  static rendererOptions;
  static rendererTaskOptions;
  constructor(tasks, options) {
    this.tasks = tasks;
    this.options = options;
  }
  render() {
  }
  end() {
  }
};
var SimpleRenderer = class SimpleRenderer2 {
  static nonTTY = true;
  static rendererOptions = { pausedTimer: {
    ...PRESET_TIMER,
    field: (time) => `${ListrLogLevels.PAUSED}:${time}`,
    format: () => color.yellowBright
  } };
  static rendererTaskOptions = {};
  logger;
  cache = {
    rendererOptions: /* @__PURE__ */ new Map(),
    rendererTaskOptions: /* @__PURE__ */ new Map()
  };
  constructor(tasks, options) {
    this.tasks = tasks;
    this.options = options;
    this.options = {
      ...SimpleRenderer2.rendererOptions,
      ...options,
      icon: {
        ...LISTR_LOGGER_STYLE.icon,
        ...options?.icon ?? {}
      },
      color: {
        ...LISTR_LOGGER_STYLE.color,
        ...options?.color ?? {}
      }
    };
    this.logger = this.options.logger ?? new ListrLogger({
      useIcons: true,
      toStderr: LISTR_LOGGER_STDERR_LEVELS
    });
    this.logger.options.icon = this.options.icon;
    this.logger.options.color = this.options.color;
    if (this.options.timestamp) this.logger.options.fields.prefix.unshift(this.options.timestamp);
  }
  end() {
  }
  render() {
    this.renderer(this.tasks);
  }
  renderer(tasks) {
    tasks.forEach((task) => {
      this.calculate(task);
      task.once(ListrTaskEventType.CLOSED, () => {
        this.reset(task);
      });
      const rendererOptions = this.cache.rendererOptions.get(task.id);
      const rendererTaskOptions = this.cache.rendererTaskOptions.get(task.id);
      task.on(ListrTaskEventType.SUBTASK, (subtasks) => {
        this.renderer(subtasks);
      });
      task.on(ListrTaskEventType.STATE, (state) => {
        if (!task.hasTitle()) return;
        if (state === ListrTaskState.STARTED) this.logger.log(ListrLogLevels.STARTED, task.title);
        else if (state === ListrTaskState.COMPLETED) {
          const timer = rendererTaskOptions?.timer;
          this.logger.log(ListrLogLevels.COMPLETED, task.title, timer && { suffix: {
            ...timer,
            condition: !!task.message?.duration && timer.condition,
            args: [task.message.duration]
          } });
        } else if (state === ListrTaskState.PROMPT) {
          this.logger.process.hijack();
          task.on(ListrTaskEventType.PROMPT, (prompt) => {
            this.logger.process.toStderr(prompt, false);
          });
        } else if (state === ListrTaskState.PROMPT_COMPLETED) {
          task.off(ListrTaskEventType.PROMPT);
          this.logger.process.release();
        }
      });
      task.on(ListrTaskEventType.OUTPUT, (output) => {
        this.logger.log(ListrLogLevels.OUTPUT, output);
      });
      task.on(ListrTaskEventType.MESSAGE, (message) => {
        if (message.error) this.logger.log(ListrLogLevels.FAILED, task.title, { suffix: {
          field: `${ListrLogLevels.FAILED}: ${message.error}`,
          format: () => color.red
        } });
        else if (message.skip) this.logger.log(ListrLogLevels.SKIPPED, task.title, { suffix: {
          field: `${ListrLogLevels.SKIPPED}: ${message.skip}`,
          format: () => color.yellow
        } });
        else if (message.rollback) this.logger.log(ListrLogLevels.ROLLBACK, task.title, { suffix: {
          field: `${ListrLogLevels.ROLLBACK}: ${message.rollback}`,
          format: () => color.red
        } });
        else if (message.retry) this.logger.log(ListrLogLevels.RETRY, task.title, { suffix: {
          field: `${ListrLogLevels.RETRY}:${message.retry.count}`,
          format: () => color.red
        } });
        else if (message.paused) {
          const timer = rendererOptions?.pausedTimer;
          this.logger.log(ListrLogLevels.PAUSED, task.title, timer && { suffix: {
            ...timer,
            condition: !!message?.paused && timer.condition,
            args: [message.paused - Date.now()]
          } });
        }
      });
    });
  }
  calculate(task) {
    if (this.cache.rendererOptions.has(task.id) && this.cache.rendererTaskOptions.has(task.id)) return;
    const rendererOptions = {
      ...this.options,
      ...task.rendererOptions
    };
    this.cache.rendererOptions.set(task.id, rendererOptions);
    this.cache.rendererTaskOptions.set(task.id, {
      ...SimpleRenderer2.rendererTaskOptions,
      timer: rendererOptions.timer,
      ...task.rendererTaskOptions
    });
  }
  reset(task) {
    this.cache.rendererOptions.delete(task.id);
    this.cache.rendererTaskOptions.delete(task.id);
  }
};
var TestRendererSerializer = class {
  constructor(options) {
    this.options = options;
  }
  serialize(event, data, task) {
    return JSON.stringify(this.generate(event, data, task));
  }
  generate(event, data, task) {
    const output = {
      event,
      data
    };
    if (typeof this.options?.task !== "boolean") {
      const t = Object.fromEntries(this.options.task.map((entity) => {
        const property = task[entity];
        if (typeof property === "function") return [entity, property.call(task)];
        return [entity, property];
      }));
      if (Object.keys(task).length > 0) output.task = t;
    }
    return output;
  }
};
var TestRenderer = class TestRenderer2 {
  static nonTTY = true;
  static rendererOptions = {
    subtasks: true,
    state: Object.values(ListrTaskState),
    output: true,
    prompt: true,
    title: true,
    messages: [
      "skip",
      "error",
      "retry",
      "rollback",
      "paused"
    ],
    messagesToStderr: [
      "error",
      "rollback",
      "retry"
    ],
    task: [
      "hasRolledBack",
      "isRollingBack",
      "isCompleted",
      "isSkipped",
      "hasFinalized",
      "hasSubtasks",
      "title",
      "hasReset",
      "hasTitle",
      "isPrompt",
      "isPaused",
      "isPending",
      "isSkipped",
      "isStarted",
      "hasFailed",
      "isEnabled",
      "isRetrying",
      "path"
    ]
  };
  static rendererTaskOptions;
  logger;
  serializer;
  constructor(tasks, options) {
    this.tasks = tasks;
    this.options = options;
    this.options = {
      ...TestRenderer2.rendererOptions,
      ...this.options
    };
    this.logger = this.options.logger ?? new ListrLogger({ useIcons: false });
    this.serializer = new TestRendererSerializer(this.options);
  }
  render() {
    this.renderer(this.tasks);
  }
  end() {
  }
  renderer(tasks) {
    tasks.forEach((task) => {
      if (this.options.subtasks) task.on(ListrTaskEventType.SUBTASK, (subtasks) => {
        this.renderer(subtasks);
      });
      if (this.options.state) task.on(ListrTaskEventType.STATE, (state) => {
        this.logger.toStdout(this.serializer.serialize(ListrTaskEventType.STATE, state, task));
      });
      if (this.options.output) task.on(ListrTaskEventType.OUTPUT, (data) => {
        this.logger.toStdout(this.serializer.serialize(ListrTaskEventType.OUTPUT, data, task));
      });
      if (this.options.prompt) task.on(ListrTaskEventType.PROMPT, (prompt) => {
        this.logger.toStdout(this.serializer.serialize(ListrTaskEventType.PROMPT, prompt, task));
      });
      if (this.options.title) task.on(ListrTaskEventType.TITLE, (title) => {
        this.logger.toStdout(this.serializer.serialize(ListrTaskEventType.TITLE, title, task));
      });
      task.on(ListrTaskEventType.MESSAGE, (message) => {
        const parsed = Object.fromEntries(Object.entries(message).map(([key, value]) => {
          if (this.options.messages.includes(key)) return [key, value];
        }).filter(Boolean));
        if (Object.keys(parsed).length > 0) {
          const output = this.serializer.serialize(ListrTaskEventType.MESSAGE, parsed, task);
          if (this.options.messagesToStderr.some((state) => Object.keys(parsed).includes(state))) this.logger.toStderr(output);
          else this.logger.toStdout(output);
        }
      });
    });
  }
};
var VerboseRenderer = class VerboseRenderer2 {
  static nonTTY = true;
  static rendererOptions = {
    logTitleChange: false,
    pausedTimer: {
      ...PRESET_TIMER,
      format: () => color.yellowBright
    }
  };
  static rendererTaskOptions;
  logger;
  cache = {
    rendererOptions: /* @__PURE__ */ new Map(),
    rendererTaskOptions: /* @__PURE__ */ new Map()
  };
  constructor(tasks, options) {
    this.tasks = tasks;
    this.options = options;
    this.options = {
      ...VerboseRenderer2.rendererOptions,
      ...this.options,
      icon: {
        ...LISTR_LOGGER_STYLE.icon,
        ...options?.icon ?? {}
      },
      color: {
        ...LISTR_LOGGER_STYLE.color,
        ...options?.color ?? {}
      }
    };
    this.logger = this.options.logger ?? new ListrLogger({
      useIcons: false,
      toStderr: LISTR_LOGGER_STDERR_LEVELS
    });
    this.logger.options.icon = this.options.icon;
    this.logger.options.color = this.options.color;
    if (this.options.timestamp) this.logger.options.fields.prefix.unshift(this.options.timestamp);
  }
  render() {
    this.renderer(this.tasks);
  }
  end() {
  }
  renderer(tasks) {
    tasks.forEach((task) => {
      this.calculate(task);
      task.once(ListrTaskEventType.CLOSED, () => {
        this.reset(task);
      });
      const rendererOptions = this.cache.rendererOptions.get(task.id);
      const rendererTaskOptions = this.cache.rendererTaskOptions.get(task.id);
      task.on(ListrTaskEventType.SUBTASK, (subtasks) => {
        this.renderer(subtasks);
      });
      task.on(ListrTaskEventType.STATE, (state) => {
        if (!task.hasTitle()) return;
        if (state === ListrTaskState.STARTED) this.logger.log(ListrLogLevels.STARTED, task.title);
        else if (state === ListrTaskState.COMPLETED) {
          const timer = rendererTaskOptions.timer;
          this.logger.log(ListrLogLevels.COMPLETED, task.title, timer && { suffix: {
            ...timer,
            condition: !!task.message?.duration && timer.condition,
            args: [task.message.duration]
          } });
        }
      });
      task.on(ListrTaskEventType.OUTPUT, (data) => {
        this.logger.log(ListrLogLevels.OUTPUT, data);
      });
      task.on(ListrTaskEventType.PROMPT, (prompt) => {
        const cleansed = cleanseAnsi(prompt);
        if (cleansed) this.logger.log(ListrLogLevels.PROMPT, cleansed);
      });
      if (this.options?.logTitleChange !== false) task.on(ListrTaskEventType.TITLE, (title) => {
        this.logger.log(ListrLogLevels.TITLE, title);
      });
      task.on(ListrTaskEventType.MESSAGE, (message) => {
        if (message?.error) this.logger.log(ListrLogLevels.FAILED, message.error);
        else if (message?.skip) this.logger.log(ListrLogLevels.SKIPPED, message.skip);
        else if (message?.rollback) this.logger.log(ListrLogLevels.ROLLBACK, message.rollback);
        else if (message?.retry) this.logger.log(ListrLogLevels.RETRY, task.title, { suffix: message.retry.count.toString() });
        else if (message?.paused) {
          const timer = rendererOptions?.pausedTimer;
          this.logger.log(ListrLogLevels.PAUSED, task.title, timer && { suffix: {
            ...timer,
            condition: !!message?.paused && timer.condition,
            args: [message.paused - Date.now()]
          } });
        }
      });
    });
  }
  calculate(task) {
    if (this.cache.rendererOptions.has(task.id) && this.cache.rendererTaskOptions.has(task.id)) return;
    const rendererOptions = {
      ...this.options,
      ...task.rendererOptions
    };
    this.cache.rendererOptions.set(task.id, rendererOptions);
    this.cache.rendererTaskOptions.set(task.id, {
      ...VerboseRenderer2.rendererTaskOptions,
      timer: rendererOptions.timer,
      ...task.rendererTaskOptions
    });
  }
  reset(task) {
    this.cache.rendererOptions.delete(task.id);
    this.cache.rendererTaskOptions.delete(task.id);
  }
};
var RENDERERS = {
  default: DefaultRenderer,
  simple: SimpleRenderer,
  verbose: VerboseRenderer,
  test: TestRenderer,
  silent: SilentRenderer
};
function isRendererSupported(renderer) {
  return process.stdout.isTTY === true || renderer.nonTTY === true;
}
function getRendererClass(renderer) {
  if (typeof renderer === "string") return RENDERERS[renderer] ?? RENDERERS.default;
  return typeof renderer === "function" ? renderer : RENDERERS.default;
}
function getRenderer(options) {
  if (assertFunctionOrSelf(options?.silentRendererCondition)) return {
    renderer: getRendererClass("silent"),
    selection: ListrRendererSelection.SILENT
  };
  const r = {
    renderer: getRendererClass(options.renderer),
    options: options.rendererOptions,
    selection: ListrRendererSelection.PRIMARY
  };
  if (!isRendererSupported(r.renderer) || assertFunctionOrSelf(options?.fallbackRendererCondition)) return {
    renderer: getRendererClass(options.fallbackRenderer),
    options: options.fallbackRendererOptions,
    selection: ListrRendererSelection.SECONDARY
  };
  return r;
}
function assertFunctionOrSelf(functionOrSelf, ...args) {
  if (typeof functionOrSelf === "function") return functionOrSelf(...args);
  else return functionOrSelf;
}
var clone = (0, import_rfdc.default)({ circles: true });
function cloneObject(obj) {
  return clone(obj);
}
var Concurrency = class {
  concurrency;
  count;
  queue;
  constructor(options) {
    this.concurrency = options.concurrency;
    this.count = 0;
    this.queue = /* @__PURE__ */ new Set();
  }
  add(fn) {
    if (this.count < this.concurrency) return this.run(fn);
    return new Promise((resolve3) => {
      const callback = () => resolve3(this.run(fn));
      this.queue.add(callback);
    });
  }
  flush() {
    for (const callback of this.queue) {
      if (this.count >= this.concurrency) break;
      this.queue.delete(callback);
      callback();
    }
  }
  run(fn) {
    this.count++;
    const promise = fn();
    const cleanup = () => {
      this.count--;
      this.flush();
    };
    promise.then(cleanup, () => {
      this.queue.clear();
    });
    return promise;
  }
};
function delay(time) {
  return new Promise((resolve3) => {
    setTimeout(resolve3, time);
  });
}
var ListrError = class extends Error {
  path;
  ctx;
  constructor(error, type, task) {
    super(error.message);
    this.error = error;
    this.type = type;
    this.task = task;
    this.name = "ListrError";
    this.path = task.path;
    if (task?.options.collectErrors === "full") {
      this.task = cloneObject(task);
      this.ctx = cloneObject(task.listr.ctx);
    }
    this.stack = error?.stack;
  }
};
var ListrRendererError = class extends Error {
};
var PromptError = class extends Error {
};
var TaskWrapper = class {
  constructor(task) {
    this.task = task;
  }
  /* istanbul ignore next */
  get title() {
    return this.task.title;
  }
  /**
  * Title of the current task.
  *
  * @see {@link https://listr2.kilic.dev/task/title.html}
  */
  set title(title) {
    title = Array.isArray(title) ? title : [title];
    this.task.title$ = splat(title.shift(), ...title);
  }
  /* istanbul ignore next */
  get output() {
    return this.task.output;
  }
  /* istanbul ignore next */
  /**
  * Send output from the current task to the renderer.
  *
  * @see {@link https://listr2.kilic.dev/task/output.html}
  */
  set output(output) {
    output = Array.isArray(output) ? output : [output];
    this.task.output$ = splat(output.shift(), ...output);
  }
  /* istanbul ignore next */
  /** Send an output to the output channel as prompt. */
  set promptOutput(output) {
    this.task.promptOutput$ = output;
  }
  /**
  * Creates a new set of Listr subtasks.
  *
  * @see {@link https://listr2.kilic.dev/task/subtasks.html}
  */
  newListr(task, options) {
    let tasks;
    if (typeof task === "function") tasks = task(this);
    else tasks = task;
    return new Listr(tasks, options, this.task);
  }
  /**
  * Report an error that has to be collected and handled.
  *
  * @see {@link https://listr2.kilic.dev/task/error-handling.html}
  */
  report(error, type) {
    if (this.task.options.collectErrors !== false) this.task.listr.errors.push(new ListrError(error, type, this.task));
    this.task.message$ = { error: error.message ?? this.task?.title };
  }
  /**
  * Skip the current task.
  *
  * @see {@link https://listr2.kilic.dev/task/skip.html}
  */
  skip(message, ...metadata) {
    this.task.state$ = ListrTaskState.SKIPPED;
    if (message) this.task.message$ = { skip: message ? splat(message, ...metadata) : this.task?.title };
  }
  /**
  * Check whether this task is currently in a retry state.
  *
  * @see {@link https://listr2.kilic.dev/task/retry.html}
  */
  isRetrying() {
    return this.task.isRetrying() ? this.task.retry : { count: 0 };
  }
  /* istanbul ignore next */
  /**
  * Create a new prompt for getting user input through the prompt adapter.
  * This will create a new prompt through the adapter if the task is not currently rendering a prompt or will return the active instance.
  *
  * This part of the application requires optional peer dependencies, please refer to documentation.
  *
  * @see {@link https://listr2.kilic.dev/task/prompt.html}
  */
  prompt(adapter) {
    if (this.task.prompt) return this.task.prompt;
    return new adapter(this.task, this);
  }
  /* istanbul ignore next */
  /**
  * Generates a fake stdout for your use case, where it will be tunnelled through Listr to handle the rendering process.
  *
  * @see {@link https://listr2.kilic.dev/renderer/process-output.html}
  */
  stdout(type) {
    return createWritable((chunk) => {
      switch (type) {
        case ListrTaskEventType.PROMPT:
          this.promptOutput = chunk;
          break;
        default:
          this.output = chunk;
      }
    });
  }
  /** Run this task. */
  run(ctx) {
    return this.task.run(ctx, this);
  }
};
var ListrTaskEventManager = class extends EventManager {
};
var Task = class extends ListrTaskEventManager {
  /** Unique id per task, can be used for identifying a Task. */
  id = randomUUID();
  /** The current state of the task. */
  state = ListrTaskState.WAITING;
  /** Subtasks of the current task. */
  subtasks;
  /** Title of the task. */
  title;
  /** Initial/Untouched version of the title for using whenever task has a reset. */
  initialTitle;
  /** Output channel for the task. */
  output;
  /** Current state of the retry process whenever the task is retrying. */
  retry;
  /**
  * A channel for messages.
  *
  * This requires a separate channel for messages like error, skip or runtime messages to further utilize in the renderers.
  */
  message = {};
  /** Current prompt instance or prompt error whenever the task is prompting. */
  prompt;
  /** Parent task of the current task. */
  parent;
  /** Enable flag of this task. */
  enabled;
  /** User provided Task callback function to run. */
  taskFn;
  /** Marks the task as closed. This is different from finalized since this is not really related to task itself. */
  closed;
  constructor(listr, task, options, rendererOptions, rendererTaskOptions) {
    super();
    this.listr = listr;
    this.task = task;
    this.options = options;
    this.rendererOptions = rendererOptions;
    this.rendererTaskOptions = rendererTaskOptions;
    if (task.title) {
      const title = Array.isArray(task?.title) ? task.title : [task.title];
      this.title = splat(title.shift(), ...title);
      this.initialTitle = this.title;
    }
    this.taskFn = task.task;
    this.parent = listr.parentTask;
  }
  /**
  * Update the current state of the Task and emit the neccassary events.
  */
  set state$(state) {
    this.state = state;
    this.emit(ListrTaskEventType.STATE, state);
    if (this.hasSubtasks() && this.hasFailed()) {
      for (const subtask of this.subtasks) if (subtask.state === ListrTaskState.STARTED) subtask.state$ = ListrTaskState.FAILED;
    }
    this.listr.events.emit(ListrEventType.SHOULD_REFRESH_RENDER);
  }
  /**
  * Update the current output of the Task and emit the neccassary events.
  */
  set output$(data) {
    this.output = data;
    this.emit(ListrTaskEventType.OUTPUT, data);
    this.listr.events.emit(ListrEventType.SHOULD_REFRESH_RENDER);
  }
  /**
  * Update the current prompt output of the Task and emit the neccassary events.
  */
  set promptOutput$(data) {
    this.emit(ListrTaskEventType.PROMPT, data);
    if (cleanseAnsi(data)) this.listr.events.emit(ListrEventType.SHOULD_REFRESH_RENDER);
  }
  /**
  * Update or extend the current message of the Task and emit the neccassary events.
  */
  set message$(data) {
    this.message = {
      ...this.message,
      ...data
    };
    this.emit(ListrTaskEventType.MESSAGE, data);
    this.listr.events.emit(ListrEventType.SHOULD_REFRESH_RENDER);
  }
  /**
  * Update the current title of the Task and emit the neccassary events.
  */
  set title$(title) {
    this.title = title;
    this.emit(ListrTaskEventType.TITLE, title);
    this.listr.events.emit(ListrEventType.SHOULD_REFRESH_RENDER);
  }
  /**
  * Current task path in the hierarchy.
  */
  get path() {
    return [...this.listr.path, this.initialTitle];
  }
  /**
  * Checks whether the current task with the given context should be set as enabled.
  */
  async check(ctx) {
    if (this.state === ListrTaskState.WAITING) {
      this.enabled = await assertFunctionOrSelf(this.task?.enabled ?? true, ctx);
      this.emit(ListrTaskEventType.ENABLED, this.enabled);
      this.listr.events.emit(ListrEventType.SHOULD_REFRESH_RENDER);
    }
    return this.enabled;
  }
  /** Returns whether this task has subtasks. */
  hasSubtasks() {
    return this.subtasks?.length > 0;
  }
  /** Returns whether this task is finalized in someform. */
  hasFinalized() {
    return this.isCompleted() || this.hasFailed() || this.isSkipped() || this.hasRolledBack();
  }
  /** Returns whether this task is in progress. */
  isPending() {
    return this.isStarted() || this.isPrompt() || this.hasReset();
  }
  /** Returns whether this task has started. */
  isStarted() {
    return this.state === ListrTaskState.STARTED;
  }
  /** Returns whether this task is skipped. */
  isSkipped() {
    return this.state === ListrTaskState.SKIPPED;
  }
  /** Returns whether this task has been completed. */
  isCompleted() {
    return this.state === ListrTaskState.COMPLETED;
  }
  /** Returns whether this task has been failed. */
  hasFailed() {
    return this.state === ListrTaskState.FAILED;
  }
  /** Returns whether this task has an active rollback task going on. */
  isRollingBack() {
    return this.state === ListrTaskState.ROLLING_BACK;
  }
  /** Returns whether the rollback action was successful. */
  hasRolledBack() {
    return this.state === ListrTaskState.ROLLED_BACK;
  }
  /** Returns whether this task has an actively retrying task going on. */
  isRetrying() {
    return this.state === ListrTaskState.RETRY;
  }
  /** Returns whether this task has some kind of reset like retry and rollback going on. */
  hasReset() {
    return this.state === ListrTaskState.RETRY || this.state === ListrTaskState.ROLLING_BACK;
  }
  /** Returns whether enabled function resolves to true. */
  isEnabled() {
    return this.enabled;
  }
  /** Returns whether this task actually has a title. */
  hasTitle() {
    return typeof this?.title === "string";
  }
  /** Returns whether this task has a prompt inside. */
  isPrompt() {
    return this.state === ListrTaskState.PROMPT;
  }
  /** Returns whether this task is currently paused. */
  isPaused() {
    return this.state === ListrTaskState.PAUSED;
  }
  /** Returns whether this task is closed. */
  isClosed() {
    return this.closed;
  }
  /** Pause the given task for certain time. */
  async pause(time) {
    const state = this.state;
    this.state$ = ListrTaskState.PAUSED;
    this.message$ = { paused: Date.now() + time };
    await delay(time);
    this.state$ = state;
    this.message$ = { paused: null };
  }
  /** Run the current task. */
  async run(context, wrapper) {
    const handleResult = (result) => {
      if (result instanceof Listr) {
        result.options = {
          ...this.options,
          ...result.options
        };
        result.rendererClass = getRendererClass("silent");
        this.subtasks = result.tasks;
        result.errors = this.listr.errors;
        this.emit(ListrTaskEventType.SUBTASK, this.subtasks);
        result = result.run(context);
      } else if (result instanceof Promise) result = result.then(handleResult);
      else if (isReadable(result)) result = new Promise((resolve3, reject) => {
        result.on("data", (data) => {
          this.output$ = data.toString();
        });
        result.on("error", (error) => reject(error));
        result.on("end", () => resolve3(null));
      });
      else if (isObservable(result)) result = new Promise((resolve3, reject) => {
        result.subscribe({
          next: (data) => {
            this.output$ = data;
          },
          error: reject,
          complete: resolve3
        });
      });
      return result;
    };
    const startTime = Date.now();
    this.state$ = ListrTaskState.STARTED;
    const skipped = await assertFunctionOrSelf(this.task?.skip ?? false, context);
    if (skipped) {
      if (typeof skipped === "string") this.message$ = { skip: skipped };
      else if (this.hasTitle()) this.message$ = { skip: this.title };
      else this.message$ = { skip: "Skipped task without a title." };
      this.state$ = ListrTaskState.SKIPPED;
      return;
    }
    try {
      const retryCount = typeof this.task?.retry === "number" && this.task.retry > 0 ? this.task.retry + 1 : typeof this.task?.retry === "object" && this.task.retry.tries > 0 ? this.task.retry.tries + 1 : 1;
      const retryDelay = typeof this.task.retry === "object" && this.task.retry.delay;
      for (let retries = 1; retries <= retryCount; retries++) try {
        await handleResult(this.taskFn(context, wrapper));
        break;
      } catch (err) {
        if (retries !== retryCount) {
          this.retry = {
            count: retries,
            error: err
          };
          this.message$ = { retry: this.retry };
          this.title$ = this.initialTitle;
          this.output = void 0;
          wrapper.report(err, ListrErrorTypes.WILL_RETRY);
          this.state$ = ListrTaskState.RETRY;
          if (retryDelay) await this.pause(retryDelay);
        } else throw err;
      }
      if (this.isStarted() || this.isRetrying()) {
        this.message$ = { duration: Date.now() - startTime };
        this.state$ = ListrTaskState.COMPLETED;
      }
    } catch (error) {
      if (this.prompt instanceof PromptError) error = this.prompt;
      if (this.task?.rollback) {
        wrapper.report(error, ListrErrorTypes.WILL_ROLLBACK);
        try {
          this.state$ = ListrTaskState.ROLLING_BACK;
          await this.task.rollback(context, wrapper);
          this.message$ = { rollback: this.title };
          this.state$ = ListrTaskState.ROLLED_BACK;
        } catch (err) {
          this.state$ = ListrTaskState.FAILED;
          wrapper.report(err, ListrErrorTypes.HAS_FAILED_TO_ROLLBACK);
          this.close();
          throw err;
        }
        if (this.listr.options?.exitAfterRollback !== false) {
          this.close();
          throw error;
        }
      } else {
        this.state$ = ListrTaskState.FAILED;
        if (this.listr.options.exitOnError !== false && await assertFunctionOrSelf(this.task?.exitOnError, context) !== false) {
          wrapper.report(error, ListrErrorTypes.HAS_FAILED);
          this.close();
          throw error;
        } else if (!this.hasSubtasks()) wrapper.report(error, ListrErrorTypes.HAS_FAILED_WITHOUT_ERROR);
      }
    } finally {
      this.close();
    }
  }
  close() {
    this.emit(ListrTaskEventType.CLOSED);
    this.listr.events.emit(ListrEventType.SHOULD_REFRESH_RENDER);
    this.complete();
  }
};
var ListrEventManager = class extends EventManager {
};
var Listr = class {
  tasks = [];
  errors = [];
  ctx;
  events;
  path = [];
  rendererClass;
  rendererClassOptions;
  rendererSelection;
  boundSignalHandler;
  concurrency;
  renderer;
  constructor(task, options, parentTask) {
    this.task = task;
    this.options = options;
    this.parentTask = parentTask;
    this.options = {
      concurrent: false,
      renderer: "default",
      fallbackRenderer: "simple",
      exitOnError: true,
      exitAfterRollback: true,
      collectErrors: false,
      registerSignalListeners: true,
      ...this.parentTask?.options ?? {},
      ...options
    };
    if (this.options.concurrent === true) this.options.concurrent = Infinity;
    else if (typeof this.options.concurrent !== "number") this.options.concurrent = 1;
    this.concurrency = new Concurrency({ concurrency: this.options.concurrent });
    if (parentTask) {
      this.path = [...parentTask.listr.path, parentTask.title];
      this.errors = parentTask.listr.errors;
    }
    if (this.parentTask?.listr.events instanceof ListrEventManager) this.events = this.parentTask.listr.events;
    else this.events = new ListrEventManager();
    if (this.options?.forceTTY || process.env[ListrEnvironmentVariables.FORCE_TTY]) {
      process.stdout.isTTY = true;
      process.stderr.isTTY = true;
    }
    if (this.options?.forceUnicode) process.env[ListrEnvironmentVariables.FORCE_UNICODE] = "1";
    const renderer = getRenderer({
      renderer: this.options.renderer,
      rendererOptions: this.options.rendererOptions,
      fallbackRenderer: this.options.fallbackRenderer,
      fallbackRendererOptions: this.options.fallbackRendererOptions,
      fallbackRendererCondition: this.options?.fallbackRendererCondition,
      silentRendererCondition: this.options?.silentRendererCondition
    });
    this.rendererClass = renderer.renderer;
    this.rendererClassOptions = renderer.options;
    this.rendererSelection = renderer.selection;
    this.add(task ?? []);
    if (this.options.registerSignalListeners) {
      this.boundSignalHandler = this.signalHandler.bind(this);
      process.once("SIGINT", this.boundSignalHandler).setMaxListeners(0);
    }
  }
  /**
  * Whether this is the root task.
  */
  isRoot() {
    return !this.parentTask;
  }
  /**
  * Whether this is a subtask of another task list.
  */
  isSubtask() {
    return !!this.parentTask;
  }
  /**
  * Add tasks to current task list.
  *
  * @see {@link https://listr2.kilic.dev/task/task.html}
  */
  add(tasks) {
    this.tasks.push(...this.generate(tasks));
  }
  /**
  * Run the task list.
  *
  * @see {@link https://listr2.kilic.dev/listr/listr.html#run-the-generated-task-list}
  */
  async run(context) {
    if (!this.renderer) this.renderer = new this.rendererClass(this.tasks, this.rendererClassOptions, this.events);
    await this.renderer.render();
    this.ctx = this.options?.ctx ?? context ?? {};
    try {
      await Promise.all(this.tasks.map((task) => task.check(this.ctx)));
      await Promise.all(this.tasks.map((task) => this.concurrency.add(() => this.runTask(task))));
      this.renderer.end();
      this.removeSignalHandler();
    } catch (err) {
      if (this.options.exitOnError !== false) {
        this.renderer.end(err);
        this.removeSignalHandler();
        throw err;
      }
    }
    return this.ctx;
  }
  generate(tasks) {
    tasks = Array.isArray(tasks) ? tasks : [tasks];
    return tasks.map((task) => {
      let rendererTaskOptions;
      if (this.rendererSelection === ListrRendererSelection.PRIMARY) rendererTaskOptions = task.rendererOptions;
      else if (this.rendererSelection === ListrRendererSelection.SECONDARY) rendererTaskOptions = task.fallbackRendererOptions;
      return new Task(this, task, this.options, this.rendererClassOptions, rendererTaskOptions);
    });
  }
  async runTask(task) {
    if (!await task.check(this.ctx)) return;
    return new TaskWrapper(task).run(this.ctx);
  }
  signalHandler() {
    this.tasks?.forEach(async (task) => {
      if (task.isPending()) task.state$ = ListrTaskState.FAILED;
    });
    if (this.isRoot()) {
      this.renderer?.end(/* @__PURE__ */ new Error("Interrupted."));
      process.exit(127);
    }
  }
  removeSignalHandler() {
    if (this.boundSignalHandler) process.removeListener("SIGINT", this.boundSignalHandler);
  }
};

// src/run/host-log.ts
import { closeSync, constants, fchmodSync, fstatSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
function openPrivateLog(path) {
  let fd;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 384);
  } catch (err) {
    const code = err.code;
    if (code === "ELOOP")
      throw new UsageError(`The log file ${path} is a symbolic link; provision does not write logs through links: remove it or choose another --log-dir.`);
    throw new UsageError(`Cannot write the log file ${path} (${code ?? "error"}): choose a writable --log-dir.`);
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new UsageError(`The log file ${path} is not a regular file: remove it or choose another --log-dir.`);
  }
  fchmodSync(fd, 384);
  return fd;
}
var HostLog = class {
  fd;
  path;
  constructor(dir, host) {
    this.path = join(dir, `${host.replace(/[^A-Za-z0-9_.-]/g, "_")}.log`);
    mkdirSync(dir, { recursive: true, mode: 448 });
    this.fd = openPrivateLog(this.path);
  }
  write(line) {
    if (this.fd === void 0) return;
    writeSync(this.fd, `${(/* @__PURE__ */ new Date()).toISOString()} ${maskSecrets(line)}
`);
  }
  close() {
    if (this.fd !== void 0) closeSync(this.fd);
    this.fd = void 0;
  }
};

// src/run/schema-gate.ts
var SchemaGate = class {
  ready = false;
  queue = [];
  locked = false;
  async acquire() {
    if (!this.locked) {
      this.locked = true;
      return;
    }
    await new Promise((resolve3) => this.queue.push(resolve3));
  }
  release() {
    const next = this.queue.shift();
    if (next) next();
    else this.locked = false;
  }
  /** `needed`: this host's database check found no MLflow schema yet. `onWait` is told once when it queues. */
  async around(needed, fn, onWait) {
    if (!needed || this.ready) return fn();
    if (this.locked) onWait?.();
    await this.acquire();
    if (this.ready) {
      this.release();
      return fn();
    }
    try {
      const result = await fn();
      this.ready = true;
      return result;
    } finally {
      this.release();
    }
  }
  upgrades = Promise.resolve();
  /**
   * One schema migration at a time on this database: hosts of a batch that all find the schema out of date
   * take turns (the first migrates; for the others `mlflow db upgrade` finds nothing left to do).
   */
  exclusive(fn) {
    const run = this.upgrades.then(fn, fn);
    this.upgrades = run.catch(() => void 0);
    return run;
  }
  // --- a coordinated version change: every server on the database stopped, the schema migrated once ---------
  /** Hosts of the batch whose run is in progress, and where each stands on a version change. */
  inFlight = /* @__PURE__ */ new Set();
  stopped = /* @__PURE__ */ new Set();
  settled = /* @__PURE__ */ new Set();
  waiters = [];
  migration;
  /** A host's run began: until it stops its server, settles or leaves, a version change waits for it. */
  join(host) {
    this.inFlight.add(host);
  }
  /** A host's run ended (done or failed): nothing of it to wait for. */
  leave(host) {
    this.inFlight.delete(host);
    this.wake();
  }
  /** A host reached its server step without changing MLflow's version: its server is no older version. */
  settle(host) {
    this.settled.add(host);
    this.wake();
  }
  wake() {
    if (!this.everyServerStopped()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
  everyServerStopped() {
    return [...this.inFlight].every((h) => this.stopped.has(h) || this.settled.has(h));
  }
  /**
   * MLflow asks for a coordinated upgrade: stop every writer, migrate the schema once, then start the new
   * version (mixed versions on one database are not supported). A host whose server changes version stops it,
   * waits until no other host of the batch may still run an older server on the database, and the first one
   * there runs `migrate`; the others wait for that one migration.
   */
  async versionChange(host, stop, migrate, onWait) {
    await stop();
    this.stopped.add(host);
    this.wake();
    if (!this.everyServerStopped()) {
      onWait?.();
      await new Promise((resolve3) => this.waiters.push(resolve3));
    }
    const first = this.migration === void 0;
    this.migration ??= migrate();
    await this.migration;
    return first ? "migrated" : "waited";
  }
};

// src/run/host-io.ts
var RemoteHost = class {
  constructor(remote) {
    this.remote = remote;
  }
  remote;
  exec(command, options) {
    return this.remote.exec(command, options);
  }
  writeFileAtomic(path, content, mode) {
    return this.remote.writeFileAtomic(path, content, mode);
  }
  http(port, req) {
    return httpOnVm(this.remote, port, req);
  }
  checkDatabase(db, timeoutMs, missing) {
    return checkDatabase(this.remote, db, timeoutMs, missing);
  }
  createDatabase(via, name) {
    return createDatabase(this.remote, via, name);
  }
  interrupt() {
    return this.remote.interrupt();
  }
  close() {
    this.remote.close();
  }
  get isClosed() {
    return this.remote.isClosed;
  }
  get execCount() {
    return this.remote.execCount;
  }
  get forwardCount() {
    return this.remote.forwardCount;
  }
};
var realHostIO = {
  connect: async (target, options) => new RemoteHost(await Remote.connect(target, options)),
  httpDirect,
  warmUp: () => void loadDatabaseDriver().catch(() => void 0)
};

// src/run/host-run.ts
var HostRun = class {
  constructor(target, config, log, schemaGate = new SchemaGate(), io = realHostIO) {
    this.target = target;
    this.config = config;
    this.log = log;
    this.schemaGate = schemaGate;
    this.io = io;
    this.serverOptions = { ...config.server, ...target.overrides };
  }
  target;
  config;
  log;
  schemaGate;
  io;
  connection;
  facts;
  desired;
  changed = [];
  warnings = [];
  notes = { restartNeeded: false };
  /** A basic-auth session key made in this run (only when the VM has none yet). */
  flaskKey;
  /** The configuration fingerprint's salt, made in this run when no live server has one. */
  fingerprintSalt;
  interrupted = false;
  sshConnections = 0;
  emitLine = () => void 0;
  started = Date.now();
  /** This host's server settings: the run's, with its hosts-file overrides. */
  serverOptions;
  /** Where the current step's remote output goes (the task's output), besides the log. */
  onLine(fn) {
    this.emitLine = fn;
  }
  say(line) {
    this.log.write(line);
    this.emitLine(maskSecrets(line));
  }
  /** The one executor: every step runs through here, in the order of STEPS. */
  async execute(step) {
    if (this.interrupted) throw new Interrupted("Interrupted before this step.");
    if (!("plan" in step)) return this.mark(step.id, await step.run(this));
    const plan2 = step.plan({ facts: this.need(this.facts), desired: this.need(this.desired), config: this.config });
    if (!plan2.change) return this.mark(step.id, { changed: false, summary: plan2.reason });
    if (this.config.dryRun) {
      step.onDryRun?.(this, plan2);
      return this.mark(step.id, { changed: true, summary: plan2.reason });
    }
    if (step.apply) return this.mark(step.id, await step.apply(this, plan2));
    await this.perform(plan2.actions);
    return this.mark(step.id, { changed: true, summary: plan2.applied ?? plan2.reason });
  }
  async perform(actions) {
    for (const a of actions) {
      if (a.kind === "run") await this.run(a.command);
      else {
        if (this.interrupted) throw new Interrupted(`Interrupted before ${a.path} was uploaded.`);
        await this.conn.writeFileAtomic(a.path, a.content, a.mode);
        this.say(`uploaded ${a.path} (0${a.mode.toString(8)})`);
      }
    }
  }
  /** Runs one remote command, streaming its lines; a failure becomes one sentence naming the command. */
  async run(c) {
    const conn = this.conn;
    if (this.interrupted) throw new Interrupted(`Interrupted before "${c.label}" was started.`);
    this.log.write(`$ ${c.label}`);
    if (this.config.output.verbose) this.emitLine(`$ ${c.label}`);
    const res = await conn.exec(c.command, {
      timeoutSec: c.timeoutSec,
      onLine: (l) => {
        if (!/^log_offset=\d+$/.test(l)) this.say(l);
      },
      ...c.stdin ? { stdin: `${c.stdin.reveal()}
` } : {}
    }).catch((err) => {
      if (err instanceof ConnectionDropped && this.interrupted) throw new Interrupted(`Interrupted while "${c.label}" was running.`);
      if (err instanceof ConnectionDropped) {
        throw new ConnectionDropped(
          `The SSH connection to ${this.target.address} dropped while "${c.label}" was running; rerun provision to continue from there.`
        );
      }
      throw err;
    });
    if (res.code !== 0 && this.interrupted) throw new Interrupted(`Interrupted while "${c.label}" was running.`);
    if (res.code !== 0) {
      const last = `${res.stderr}
${res.stdout}`.trim().split("\n").filter((l) => l.trim() !== "").slice(-1)[0] ?? "";
      const why = res.code === 124 ? `timed out after ${c.timeoutSec} s` : res.signal ? `killed by ${res.signal}` : `exit ${res.code}`;
      throw new StepError(`"${c.label}" failed on ${this.target.address} (${why})${last ? `: ${last.trim()}` : ""}.`);
    }
    return res.stdout;
  }
  /** A wait on the VM ends at once on Ctrl-C or when the connection is gone, not at its deadline. */
  stopIfGone(waitingFor) {
    if (this.interrupted) throw new Interrupted(`Interrupted while waiting for ${waitingFor}.`);
    if (this.connection?.isClosed) {
      throw new ConnectionDropped(`The SSH connection to ${this.target.address} dropped while waiting for ${waitingFor}; rerun provision to continue.`);
    }
  }
  /** --auth basic: the admin's credentials for API calls (the encoded form is masked like the password). */
  authHeaders() {
    const auth = this.config.auth;
    if (!auth) return {};
    return { headers: basicAuthHeader(auth.adminUser, auth.adminPassword) };
  }
  get conn() {
    return this.need(this.connection);
  }
  need(v) {
    if (v === void 0) throw new Error("step ran out of order");
    return v;
  }
  mark(step, outcome) {
    if (outcome.changed) this.changed.push(step);
    this.log.write(`== ${step}: ${outcome.changed ? "changed" : "unchanged"} (${outcome.summary})`);
    return outcome;
  }
  interrupt() {
    this.interrupted = true;
    return this.connection?.interrupt() ?? Promise.resolve();
  }
  close() {
    this.connection?.close();
  }
  result(error) {
    const port = this.serverOptions.port;
    const hostPart = urlHost(this.target.address);
    const proxy = this.desired?.proxy;
    const url = proxy ? `https://${urlHost(proxy.names[0])}` : `http://${hostPart}:${port}`;
    const tls = proxy ? {
      mode: proxy.mode,
      ...this.notes.servedCertificate ? { certificate: this.notes.servedCertificate } : {},
      ...this.notes.caCertPath ? { caCertPath: this.notes.caCertPath } : {},
      ...this.config.tls?.trust ? { trustFile: this.config.tls.trust.source } : {}
    } : void 0;
    return {
      host: this.target.label,
      status: error === void 0 ? "ok" : error instanceof HostUnreachable ? "unreachable" : "failed",
      changed: [...this.changed],
      ...error === void 0 ? { url } : { error: errorMessage(error) },
      warnings: [...this.warnings],
      durationMs: Date.now() - this.started,
      log: this.log.path,
      ...this.desired ? { artifactsDir: this.desired.artifactsRemote ?? this.desired.layout.artifactsDir, supervisor: this.desired.supervisor } : {},
      sshConnections: this.sshConnections,
      remoteCommands: this.connection?.execCount ?? 0,
      portForwards: this.connection?.forwardCount ?? 0,
      ...tls ? { tls } : {}
    };
  }
};

// src/plan/desired.ts
import { randomBytes } from "node:crypto";
function desiredState(input) {
  const { config, target, server: server2, facts } = input;
  const layout = remoteLayout(facts.home, server2.artifactsDir);
  const db = config.db.sslRootCert ? { ...config.db, sslRootCertPath: layout.pgRootCert } : config.db;
  const features = featureState({ db, auth: config.auth, blob: server2.blob }, facts, input.newFlaskKey);
  const proxy = config.tls ? desiredProxy(config.tls, proxyNames(config.tls.mode, server2.publicNames ?? [], target.address), server2.port) : void 0;
  const launcher = renderLauncher(layout, {
    port: server2.port,
    ...proxy ? { listen: "127.0.0.1" } : {},
    allowedHosts: server2.allowedHosts ?? defaultAllowedHosts(target, server2.port, server2.publicNames),
    corsOrigins: proxy ? proxy.names.map((n) => `https://${urlHost(n)}`) : corsOrigins(target, server2.port, server2.publicNames),
    workers: server2.workers ?? autoWorkers(facts.memTotalMb),
    ...server2.jobRunner ? { jobRunner: true } : {},
    ...features.launcher
  });
  const secrets = renderSecretsEnv(db, features.secrets);
  const fingerprintSalt = facts.server.fingerprintSalt ?? facts.supervisor.unit?.salt ?? input.newSalt();
  const fingerprint = configFingerprint(launcher, secrets, features.authIni, fingerprintSalt);
  const supervisor = server2.supervisor ?? "nohup";
  return {
    user: facts.user,
    layout,
    launcher,
    secrets,
    fingerprint,
    fingerprintSalt,
    supervisor,
    ...supervisor === "systemd" ? { unit: renderUnit(layout, facts.user, fingerprint) } : {},
    ...features.authIni !== void 0 ? { authIni: features.authIni } : {},
    ...db.sslRootCert ? { pgRootCert: db.sslRootCert.pem } : {},
    db,
    ...features.artifactsRemote ? { artifactsRemote: features.artifactsRemote } : {},
    ...features.pip ? { pip: features.pip } : {},
    ...proxy ? { proxy } : {},
    port: server2.port,
    ...server2.mlflowVersion ? { mlflowVersion: server2.mlflowVersion } : {},
    ...server2.mlflowLatest ? { mlflowLatest: true } : {},
    upgrade: config.upgrade
  };
}
function proxyNames(mode, publicNames, address) {
  if (mode === "acme") return publicNames;
  if (mode === "internal") return [.../* @__PURE__ */ new Set([...publicNames, address])];
  return publicNames.length > 0 ? publicNames : [address];
}
function desiredProxy(tls, names, upstreamPort) {
  const files = [];
  const file = (role, content) => files.push({ role, path: proxyFilePath(role), content, mode: PROXY_FILES[role].mode, owner: PROXY_FILES[role].owner });
  if (tls.acme?.directoryRoot) file("acmeRoot", tls.acme.directoryRoot.pem);
  if (tls.files) {
    file("cert", tls.files.cert.pem);
    file("key", tls.files.key);
  }
  const caddyfile = renderCaddyfile({
    mode: tls.mode,
    names: names.map(urlHost),
    upstreamPort,
    ...tls.acme ? { acme: { ...tls.acme, directoryRoot: tls.acme.directoryRoot !== void 0 } } : {}
  });
  return {
    mode: tls.mode,
    names,
    caddyfile,
    files,
    ...tls.acme?.directory ? { directory: tls.acme.directory } : {},
    ...tls.trust ? { trust: tls.trust.pem } : {}
  };
}
function defaultAllowedHosts(target, port, publicNames = []) {
  const names = [.../* @__PURE__ */ new Set([target.address, target.label, ...publicNames, "localhost", "127.0.0.1"])];
  return names.flatMap((n) => [urlHost(n), `${urlHost(n)}:${port}`]);
}
function corsOrigins(target, port, publicNames = []) {
  const names = [.../* @__PURE__ */ new Set([target.address, target.label, ...publicNames])].filter((n) => !["localhost", "127.0.0.1", "::1"].includes(n));
  return names.map((n) => port === 80 ? `http://${urlHost(n)}` : `http://${urlHost(n)}:${port}`);
}
function newFlaskSecretKey() {
  return new Secret(randomBytes(32).toString("hex"));
}
function featureState(options, facts, newKey) {
  const state = { secrets: [], launcher: {} };
  const pip = { extras: [], packages: [], modules: [] };
  const { auth, db, blob } = options;
  if (auth) {
    state.secrets.push(
      ["MLFLOW_FLASK_SERVER_SECRET_KEY", facts.flaskSecretKey ?? newKey()],
      ["MLFLOW_AUTH_ADMIN_PASSWORD", auth.adminPassword],
      // For the auth database, whose URI (in the auth configuration file) carries no password.
      ["PGPASSWORD", db.password]
    );
    state.launcher.auth = { adminUser: auth.adminUser };
    state.authIni = renderAuthIni(db, { adminUser: auth.adminUser, database: auth.database });
    pip.extras.push("auth");
    pip.modules.push({ module: "flask_wtf", pkg: "Flask-WTF (mlflow[auth])" });
  }
  if (blob) {
    state.launcher.artifactsDestination = blob.uri;
    state.artifactsRemote = blob.uri;
    if (blob.credential.kind === "connection-string") state.secrets.push(["AZURE_STORAGE_CONNECTION_STRING", blob.credential.value]);
    if (blob.credential.kind === "access-key") state.secrets.push(["AZURE_STORAGE_ACCESS_KEY", blob.credential.value]);
    pip.packages.push("azure-storage-blob");
    pip.modules.push({ module: "azure.storage.blob", pkg: "azure-storage-blob" });
    if (blob.credential.kind === "managed-identity") {
      pip.packages.push("azure-identity");
      pip.modules.push({ module: "azure.identity", pkg: "azure-identity" });
    }
  }
  if (pip.extras.length > 0 || pip.packages.length > 0) state.pip = pip;
  return state;
}

// src/plan/plan.ts
var SUPPORTED_OS = [
  { id: "ubuntu", version: "22.04", name: "Ubuntu 22.04" },
  { id: "ubuntu", version: "24.04", name: "Ubuntu 24.04" },
  { id: "debian", version: "12", name: "Debian 12" },
  { id: "debian", version: "13", name: "Debian 13" }
];
var MIN_FREE_MB = 2500;
function preflightProblems(facts, user) {
  const problems = [];
  if (!SUPPORTED_OS.some((o) => o.id === facts.osId && o.version === facts.osVersion)) {
    problems.push(
      `The VM runs ${facts.osPretty || "an unknown OS"}; provision supports ${SUPPORTED_OS.map((o) => o.name).join(", ")} (apt-based): create the VM from one of those images.`
    );
  }
  if (!facts.sudo) {
    problems.push(
      `"sudo" asks ${user} for a password on the VM; provision needs passwordless sudo (Azure's default for the admin user), e.g. a line "${user} ALL=(ALL) NOPASSWD:ALL" in /etc/sudoers.d/.`
    );
  }
  const installs = facts.missingPackages.length > 0 || !facts.venvPython || !facts.mlflowImportable;
  if (installs && facts.diskFreeMb < MIN_FREE_MB) {
    problems.push(
      `Only ${facts.diskFreeMb} MB are free in ${facts.home} on the VM; installing needs at least ${MIN_FREE_MB} MB (MLflow's virtual environment takes about 900 MB, the installer's cache about 700 MB): free some space or grow the disk.`
    );
  }
  return problems;
}
function planPackages(facts, upgrade) {
  const missing = facts.missingPackages;
  if (facts.dpkgInterrupted) return { change: true, fullUpgrade: missing.length > 0 || upgrade, reason: "an interrupted dpkg run needs finishing" };
  if (missing.length > 0) return { change: true, fullUpgrade: true, reason: `missing ${missing.join(", ")}` };
  if (upgrade) return { change: true, fullUpgrade: true, reason: "--upgrade asked for apt update and upgrade" };
  return { change: false, fullUpgrade: false, reason: "python3, pip, venv and postgresql-client are installed" };
}
function planPython(facts, desired) {
  if (!facts.venvPython) return { change: true, recreate: true, reason: "no working virtual environment" };
  if (!facts.mlflowVersion || !facts.mlflowImportable)
    return { change: true, recreate: true, reason: "MLflow is missing or broken in the virtual environment" };
  if (!facts.driverImportable) return { change: true, recreate: false, reason: "the Postgres driver (psycopg2) is missing" };
  const missing = missingModules(facts, desired);
  if (missing.length > 0)
    return { change: true, recreate: false, reason: `${missing.map((m) => m.pkg).join(", ")} ${missing.length === 1 ? "is" : "are"} missing` };
  if (desired.mlflowVersion && facts.mlflowVersion !== desired.mlflowVersion) {
    return { change: true, recreate: false, reason: `MLflow ${facts.mlflowVersion} installed, ${desired.mlflowVersion} asked for` };
  }
  if (desired.upgrade && !desired.mlflowVersion) return { change: true, recreate: false, reason: "--upgrade asked for the latest MLflow" };
  return { change: false, recreate: false, reason: `MLflow ${facts.mlflowVersion} is installed` };
}
function isNewerVersion(a, b) {
  const parts = (v) => v.split(".").map((p) => Number.parseInt(p, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  }
  return false;
}
function mlflowVersionToInstall(facts, desired, recreate) {
  if (desired.mlflowVersion) return desired.mlflowVersion;
  if (desired.mlflowLatest || desired.upgrade) return void 0;
  if (recreate || !facts.mlflowVersion) return facts.mlflowVersion ?? DEFAULT_MLFLOW_VERSION;
  return void 0;
}
function pythonInstallChanged(facts, recreated, versionNow, desired) {
  return recreated || versionNow !== facts.mlflowVersion || !facts.driverImportable || desired !== void 0 && missingModules(facts, desired).length > 0;
}
function missingModules(facts, desired) {
  return (desired.pip?.modules ?? []).filter((m) => !facts.modules.includes(m.module));
}
function pythonRestartExpected(facts, desired, recreate) {
  return recreate || !facts.driverImportable || missingModules(facts, desired).length > 0 || desired.mlflowVersion !== void 0 && desired.mlflowVersion !== facts.mlflowVersion;
}
function artifactsRefusal(facts, desired) {
  if (desired.artifactsRemote) return void 0;
  return artifactsFolderProblem(
    desired.layout.artifactsDir,
    {
      real: facts.artifactsReal,
      home: facts.homeReal || facts.home,
      state: facts.artifactsDir,
      ...facts.artifactsOwner ? { foreignOwner: facts.artifactsOwner } : {}
    },
    desired.user
  );
}
function planArtifacts(facts, desired) {
  if (desired.artifactsRemote) return { change: false, reason: `artifacts go to ${desired.artifactsRemote}: no folder on the VM` };
  if (facts.artifactsDir === "ok") return { change: false, reason: `${desired.layout.artifactsDir} exists` };
  if (facts.artifactsDir === "not-writable") return { change: true, reason: `${desired.layout.artifactsDir} is not writable by ${desired.user}` };
  return { change: true, reason: `${desired.layout.artifactsDir} is missing` };
}
function fileProblem(f, want, mode, user) {
  if (!f.sha256) return "missing";
  if (f.sha256 !== sha256(want)) return "different";
  if (f.mode !== mode) return `mode ${f.mode?.toString(8)}`;
  if (f.owner !== user) return `owned by ${f.owner}`;
  return void 0;
}
function planFiles(facts, desired) {
  const l = fileProblem(facts.files.launcher, desired.launcher, 448, desired.user);
  const s = fileProblem(facts.files.secrets, desired.secrets, 384, desired.user);
  const a = desired.authIni !== void 0 ? fileProblem(facts.files.authIni, desired.authIni, 384, desired.user) : void 0;
  const r = desired.pgRootCert !== void 0 ? fileProblem(facts.files.pgRootCert, desired.pgRootCert, 420, desired.user) : void 0;
  const ini = desired.authIni !== void 0 ? { authIni: Boolean(a) } : {};
  const root = desired.pgRootCert !== void 0 ? { pgRootCert: Boolean(r) } : {};
  if (!l && !s && !a && !r) {
    const more = [
      ...desired.authIni !== void 0 ? [", auth configuration"] : [],
      ...desired.pgRootCert !== void 0 ? [", database root certificate"] : []
    ];
    return { change: false, launcher: false, secrets: false, ...ini, ...root, reason: `launcher${more.join("")} and secrets file are up to date` };
  }
  const parts = [l && `launcher ${l}`, s && `secrets file ${s}`, a && `auth configuration ${a}`, r && `database root certificate ${r}`].filter(Boolean);
  return { change: true, launcher: Boolean(l), secrets: Boolean(s), ...ini, ...root, reason: parts.join(", ") };
}

// src/plan/proxy-plan.ts
import { createHash } from "node:crypto";
var sha2562 = (content) => typeof content === "string" ? createHash("sha256").update(content).digest("hex") : content.sha256();
function proxyProblem(facts, proxy, address) {
  if (!proxy || facts.supervisor.systemd) return void 0;
  return `--tls needs systemd on ${address} (Caddy runs as its caddy.service), and this VM does not run it: use an image with systemd (every Azure Linux image has it), or leave --tls out.`;
}
function planProxy(facts, proxy, home) {
  const have = facts.proxy;
  if (!proxy) {
    const left = have.ours || have.dir;
    if (!left) return { change: false, reason: "no --tls: MLflow serves plain HTTP", actions: [], awaitCertificate: false };
    return {
      change: true,
      reason: "no --tls now: the HTTPS proxy an earlier run set up is stopped and its configuration and keys removed",
      actions: [{ kind: "run", command: removeProxyCommand() }],
      awaitCertificate: false
    };
  }
  const actions = [];
  const why = [];
  if (!have.installed) {
    why.push("Caddy is not installed");
    actions.push(...installCaddyCommands(facts.osId, facts.osVersion).map((command) => ({ kind: "run", command })));
  }
  const stale = proxy.files.filter((f) => {
    const now = have.files[PROXY_FILES[f.role].name];
    return !now || now.sha256 !== sha2562(f.content) || now.mode !== f.mode || now.owner !== f.owner;
  });
  if (stale.length > 0) {
    why.push(`${stale.map((f) => f.path).join(", ")} ${stale.length === 1 ? "differs" : "differ"}`);
    const uploads = stale.map((f) => ({ ...f, upload: proxyUploadPath(home, PROXY_FILES[f.role].name) }));
    for (const u of uploads) actions.push({ kind: "upload", path: u.upload, content: u.content, mode: 384 });
    actions.push({ kind: "run", command: installProxyFilesCommand(uploads) });
  }
  const wanted = new Set(proxy.files.map((f) => PROXY_FILES[f.role].name));
  const extra = Object.keys(have.files).filter((name) => !wanted.has(name));
  if (extra.length > 0) {
    why.push(`${extra.map((n) => `${PROXY_DIR}/${n}`).join(", ")} no longer used`);
    actions.push({ kind: "run", command: removeProxyFilesCommand(extra.map((n) => `${PROXY_DIR}/${n}`)) });
  }
  const configChanged = have.caddyfileSha256 !== sha2562(proxy.caddyfile);
  if (configChanged) {
    why.push(have.caddyfileSha256 === void 0 ? `${CADDYFILE} is missing` : have.ours ? `${CADDYFILE} differs` : `${CADDYFILE} is not ours yet`);
    const upload = proxyUploadPath(home, "Caddyfile");
    actions.push({ kind: "upload", path: upload, content: proxy.caddyfile, mode: 384 });
    actions.push({ kind: "run", command: installCaddyfileCommand(upload) });
  }
  const running = have.active === "active";
  const reload = configChanged || stale.length > 0 || extra.length > 0;
  if (!running) why.push(`Caddy is ${have.active ?? "not running"}`);
  if (reload || !running) actions.push({ kind: "run", command: applyCaddyCommand(running && have.installed) });
  else if (have.enabled !== true) {
    why.push("Caddy does not start at boot");
    actions.push({ kind: "run", command: enableCaddyCommand() });
  }
  if (actions.length === 0) {
    return { change: false, reason: `Caddy serves ${proxy.names.join(", ")} (--tls ${proxy.mode}), configuration as wanted`, actions, awaitCertificate: false };
  }
  return { change: true, reason: why.join("; "), actions, awaitCertificate: reload || !running };
}

// src/run/steps/connect.ts
var PROBE_TIMEOUT_SEC = 60;
async function connect(run) {
  const { ssh, auth, db } = run.config;
  run.sshConnections += 1;
  let newKey = "";
  run.io.warmUp();
  run.connection = await run.io.connect(run.target, {
    knownHostsPath: ssh.knownHostsPath,
    hostKeyPolicy: ssh.hostKeyPolicy,
    connectTimeoutMs: ssh.connectTimeoutMs,
    ...ssh.passphrase ? { passphrase: ssh.passphrase } : {},
    onNewHostKey: (fp, type, file) => {
      newKey = `new host key ${type} ${fp} recorded in ${file}`;
      run.say(newKey);
    }
  });
  run.notes.dbCheck = run.conn.checkDatabase(db);
  run.notes.dbCheck.catch(() => void 0);
  if (auth) {
    run.notes.authDbCheck = run.conn.checkDatabase(
      { ...db, database: auth.database },
      1e4,
      `The database "${auth.database}" for MLflow's users and permissions (--auth basic) does not exist on ${db.host}:${db.port}, and user "${db.user}" may not create databases: create it on the same server (az postgres flexible-server db create --database-name ${auth.database} ..., or CREATE DATABASE ${auth.database} OWNER "${db.user}";) or name an existing one with --auth-db.`
    );
    run.notes.authDbCheck.catch(() => void 0);
  }
  await probe(run);
  const facts = run.need(run.facts);
  const desired = run.need(run.desired);
  const problems = [
    ...preflightProblems(facts, run.target.user),
    portProblem(facts, desired, run.target.address),
    supervisorProblem(facts, desired, run.target.address),
    proxyProblem(facts, desired.proxy, run.target.address),
    artifactsRefusal(facts, desired)
  ].filter((p) => p !== void 0);
  if (problems.length > 0) throw new StepError(problems.join(" "));
  return {
    changed: false,
    summary: `${facts.osPretty}, sudo ok, ${(facts.diskFreeMb / 1024).toFixed(1)} GB free${newKey ? `; ${newKey}` : ""}`
  };
}
async function probe(run) {
  const server2 = run.serverOptions;
  const script = buildProbeScript({
    ...server2.artifactsDir ? { artifactsDir: server2.artifactsDir } : {},
    mlflowPort: server2.port,
    readFlaskSecretKey: Boolean(run.config.auth)
  });
  const res = await run.conn.exec(script, { timeoutSec: PROBE_TIMEOUT_SEC });
  if (!res.stdout.includes("probe_done=1")) {
    throw new ProbeIncomplete(`Reading the VM's state failed (exit ${res.code}): ${res.stderr.trim().split("\n").slice(-1)[0] ?? ""}`);
  }
  run.facts = parseFacts(res.stdout);
  run.desired = desiredState({
    config: run.config,
    target: run.target,
    server: server2,
    facts: run.facts,
    newFlaskKey: () => run.flaskKey ??= newFlaskSecretKey(),
    newSalt: () => run.fingerprintSalt ??= newFingerprintSalt()
  });
}
var connectStep = { id: "connect", title: "Connect and check the VM", run: connect };

// src/run/steps/database.ts
async function database(run) {
  const { db, auth } = run.config;
  const report2 = await run.need(run.notes.dbCheck);
  if (!report2.canCreateTables && !report2.hasMlflowSchema) {
    throw new StepError(
      `User "${db.user}" may not create tables in schema public of database "${db.database}", so MLflow cannot create its schema: run GRANT ALL ON SCHEMA public TO "${db.user}"; as the server admin.`
    );
  }
  let authDb = "";
  let created = false;
  if (auth) {
    const name = auth.database;
    const a = await authDatabase(run, name, report2);
    run.notes.authReport = a;
    created = a.created;
    if (!a.canCreateTables && !a.hasAuthSchema) {
      throw new StepError(
        `User "${db.user}" may not create tables in schema public of database "${name}", so MLflow cannot create its user tables there (--auth basic): run GRANT ALL ON SCHEMA public TO "${db.user}"; in that database as the server admin.`
      );
    }
    const create = run.config.dryRun ? "would create" : "created";
    authDb = a.created ? `; ${create} the database ${name} for MLflow's users and permissions (user "${db.user}" may create databases)` : `; auth database ${name} ok`;
  }
  return { changed: created, summary: `${databaseSummary(report2, db)}${authDb}` };
}
async function authDatabase(run, name, main2) {
  try {
    return { ...await run.need(run.notes.authDbCheck), created: false };
  } catch (err) {
    if (!(err instanceof DatabaseMissing) || !main2.canCreateDatabase) throw err;
  }
  const { db } = run.config;
  if (run.config.dryRun) return { ...main2, canCreateTables: true, hasMlflowSchema: false, hasAuthSchema: false, created: true };
  await run.conn.createDatabase(db, name);
  run.say(`created the database ${name} (--auth basic)`);
  return { ...await run.conn.checkDatabase({ ...db, database: name }), created: true };
}
var databaseStep = { id: "database", title: "Database check through the VM", run: database };

// src/run/steps/files.ts
function planFilesStep({ facts, desired }) {
  const decision = planFiles(facts, desired);
  const leftovers = facts.leftoverUploads;
  const cleanup = leftovers.length > 0 ? `${leftovers.length} leftover temporary upload${leftovers.length === 1 ? "" : "s"} from an interrupted run` : "";
  if (!decision.change && !cleanup) return { ...decision, actions: [] };
  const { layout } = desired;
  const actions = [];
  if (cleanup) actions.push({ kind: "run", command: removeLeftoverUploadsCommand(layout.home, leftovers) });
  if (decision.pgRootCert && desired.pgRootCert !== void 0)
    actions.push({ kind: "upload", path: layout.pgRootCert, content: desired.pgRootCert, mode: 420 });
  if (decision.secrets) actions.push({ kind: "upload", path: layout.secrets, content: desired.secrets, mode: 384 });
  if (decision.authIni && desired.authIni !== void 0) actions.push({ kind: "upload", path: layout.authIni, content: desired.authIni, mode: 384 });
  if (decision.launcher) actions.push({ kind: "upload", path: layout.launcher, content: desired.launcher, mode: 448 });
  const removed = cleanup ? `; removed ${cleanup}` : "";
  return {
    change: true,
    reason: [decision.change && decision.reason, cleanup].filter(Boolean).join("; "),
    actions,
    applied: decision.change ? `${decision.reason}; rewritten${removed}` : `${decision.reason}${removed}`
  };
}
var filesStep = { id: "files", title: "Launcher and secrets file", plan: planFilesStep };

// src/run/steps/step.ts
var runAll = (commands) => commands.map((command) => ({ kind: "run", command }));

// src/run/steps/install.ts
var packagesStep = {
  id: "packages",
  title: "System packages",
  plan: ({ facts, config }) => {
    const decision = planPackages(facts, config.upgrade);
    const commands = packageCommands({ cloudInit: facts.cloudInit, dpkgInterrupted: facts.dpkgInterrupted, fullUpgrade: decision.fullUpgrade });
    return { ...decision, actions: decision.change ? runAll(commands) : [] };
  }
};
function planPythonStep({ facts, desired }) {
  const decision = planPython(facts, desired);
  if (!decision.change) return { ...decision, actions: [] };
  const commands = pythonCommands(desired.layout, {
    recreate: decision.recreate,
    upgrade: desired.upgrade,
    mlflowVersion: mlflowVersionToInstall(facts, desired, decision.recreate),
    ...desired.pip ? { extras: desired.pip.extras, packages: desired.pip.packages } : {}
  });
  return { ...decision, actions: runAll(commands) };
}
async function installPython(run, plan2) {
  const facts = run.need(run.facts);
  const desired = run.need(run.desired);
  await run.perform(plan2.actions);
  const version = (await run.run(installedMlflowVersionCommand(desired.layout))).trim();
  const installed = pythonInstallChanged(facts, plan2.recreate, version, desired);
  if (installed) run.notes.restartNeeded = true;
  if (facts.mlflowVersion && version !== facts.mlflowVersion) run.notes.versionChange = { from: facts.mlflowVersion, to: version };
  return { changed: installed, summary: installed ? `${plan2.reason}; MLflow ${version} installed` : `MLflow ${version} is already the newest` };
}
var pythonStep = {
  id: "python",
  title: "MLflow in a virtual environment",
  plan: planPythonStep,
  // What the real run would install decides whether the server step restarts the server.
  onDryRun: (run, plan2) => {
    if (pythonRestartExpected(run.need(run.facts), run.need(run.desired), plan2.recreate)) run.notes.restartNeeded = true;
  },
  apply: installPython
};
var artifactsStep = {
  id: "artifacts",
  title: "Artifacts folder",
  plan: ({ facts, desired }) => {
    const decision = planArtifacts(facts, desired);
    if (!decision.change) return { ...decision, actions: [] };
    return { ...decision, actions: runAll([artifactsCommand(desired.layout.artifactsDir, desired.user)]), applied: `${decision.reason}; created` };
  }
};

// src/run/tls-trust.ts
import { writeFileSync } from "node:fs";
import { join as join2, resolve } from "node:path";
function caCertPath(run) {
  return resolve(join2(run.config.output.logDir, `${run.target.label.replace(/[^A-Za-z0-9_.-]/g, "_")}-ca.pem`));
}
async function tlsCheckFor(run, name) {
  const proxy = run.need(run.desired).proxy;
  if (!proxy) return void 0;
  if (proxy.trust) return { servername: name, ca: proxy.trust };
  if (proxy.mode !== "internal") return { servername: name };
  if (run.notes.internalRoot === void 0) {
    const root = await caddyInternalRoot((port, req) => run.conn.http(port, req));
    if (root === void 0) return void 0;
    run.notes.internalRoot = root;
    if (!run.config.dryRun) {
      const path = caCertPath(run);
      writeFileSync(path, root, { mode: 420 });
      run.notes.caCertPath = path;
    }
  }
  return { servername: name, ca: run.notes.internalRoot };
}

// src/run/steps/proxy.ts
var CERTIFICATE_WAIT_SEC = 120;
function plan({ facts, desired }) {
  return planProxy(facts, desired.proxy, desired.layout.home);
}
async function apply(run, plan2) {
  await run.perform(plan2.actions);
  const proxy = run.need(run.desired).proxy;
  if (!proxy || !plan2.awaitCertificate) return { changed: true, summary: plan2.reason };
  const seconds2 = await waitForCertificate(run);
  const cert = run.notes.servedCertificate;
  const until = cert ? `, certificate by ${cert.issuer || "its CA"} valid until ${cert.validTo.slice(0, 10)}` : "";
  return { changed: true, summary: `${plan2.reason}; serving https://${urlHost(proxy.names[0])}${until} after ${seconds2.toFixed(1)} s` };
}
async function waitForCertificate(run) {
  const proxy = run.need(run.desired).proxy;
  const name = proxy.names[0];
  const started = Date.now();
  const deadline = started + CERTIFICATE_WAIT_SEC * 1e3;
  let last = "no answer";
  let said = started;
  while (Date.now() < deadline) {
    run.stopIfGone(`Caddy's certificate for ${name}`);
    const tls = await tlsCheckFor(run, name);
    if (tls) {
      try {
        const res = await run.conn.http(443, { path: "/health", tls, timeoutMs: 5e3 });
        if (res.cert) run.notes.servedCertificate = res.cert;
        if (res.status === 200) return (Date.now() - started) / 1e3;
        last = `HTTP ${res.status}`;
      } catch (err) {
        last = err.message.split("\n")[0].replace(/^write EPROTO [0-9A-F]+:error:[0-9A-F]+:SSL routines:[a-z0-9_]+:/, "TLS handshake refused: ");
      }
    } else last = "Caddy's internal CA is not ready";
    if (Date.now() - said >= 1e4) {
      said = Date.now();
      const active = await run.conn.exec(`systemctl is-active ${CADDY_UNIT}`, { timeoutSec: 15 });
      if (active.stdout.trim() === "failed" || active.stdout.trim() === "inactive") break;
      run.say(`waiting for Caddy's certificate for ${name} (${Math.round((Date.now() - started) / 1e3)} s: ${last})`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const tail = caddyJournalCommand();
  const journal = (await run.conn.exec(tail.command, { timeoutSec: tail.timeoutSec }).catch(() => ({ stdout: "" }))).stdout;
  for (const line of journal.split("\n").filter(Boolean)) run.say(`caddy: ${line}`);
  const where = proxy.mode === "acme" ? ` from ${proxy.directory ?? "Let's Encrypt"}` : "";
  const cause = proxy.mode === "acme" ? `check that ${name} resolves to the VM's public address and that TCP 80 and 443 are open to the internet in the VM's network security group (the CA connects to both)` : proxy.mode === "files" ? `check that --tls-cert is for ${name} and chains to the CA the checks trust (--tls-ca-cert)` : "see Caddy's log";
  throw new StepError(
    `Caddy did not serve a valid certificate for ${name}${where} within ${CERTIFICATE_WAIT_SEC} s (${last}): ${cause}; its last log lines are above (sudo journalctl -u ${CADDY_UNIT}).`
  );
}
var proxyStep = { id: "proxy", title: "HTTPS proxy (Caddy)", plan, apply };

// src/run/steps/server.ts
var SERVER_START_TIMEOUT_SEC = 120;
var SchemaOutOfDate = class extends StepError {
  constructor(detail) {
    super(`MLflow refuses to start: the database schema is out of date (${detail}).`);
    this.detail = detail;
  }
  detail;
};
async function server(run) {
  const facts = run.need(run.facts);
  const desired = run.need(run.desired);
  const plan2 = planServer(facts, desired);
  const action = plan2.action === "keep" && run.notes.restartNeeded ? "restart" : plan2.action;
  const dbReport = await run.need(run.notes.dbCheck);
  const change = run.notes.versionChange;
  const coordinated = !run.config.dryRun && change !== void 0 && isNewerVersion(change.to, change.from) && dbReport.hasMlflowSchema;
  if (!coordinated) run.schemaGate.settle(run.target.label);
  if (action === "keep" && !plan2.enable) return { changed: false, summary: plan2.reason };
  if (run.config.dryRun) return { changed: true, summary: action === "keep" ? `would enable the unit: ${plan2.reason}` : `would ${action}: ${plan2.reason}` };
  if (action === "keep") {
    await run.run(enableUnitCommand());
    return { changed: true, summary: `${plan2.reason}; enabled` };
  }
  const stop = () => stopServer(run, plan2);
  let upgraded = "";
  if (coordinated) upgraded = await upgradeSchemaWithEveryServerStopped(run, change, action === "restart" ? stop : void 0);
  else if (action === "restart") await stop();
  const authReport = run.notes.authReport;
  const freshSchema = !dbReport.hasMlflowSchema || authReport !== void 0 && !authReport.hasAuthSchema;
  const startAndWait = async () => {
    const started = await startServer(run, plan2);
    const offset = Number(/^log_offset=(\d+)$/m.exec(started)?.[1] ?? 0);
    try {
      await waitForHealth(run, offset);
    } catch (err) {
      if (!(err instanceof SchemaOutOfDate) || upgraded) throw err;
      run.say(`MLflow reports an out-of-date database schema (${err.detail}): running mlflow db upgrade once`);
      const db = desired.db ?? run.config.db;
      await run.schemaGate.exclusive(() => run.run(dbUpgradeCommand(desired.layout, backendUriWithoutPassword(db), db.password)));
      upgraded = `; database schema upgraded (${err.detail})`;
      return startAndWait();
    }
    return started;
  };
  const out = await run.schemaGate.around(
    freshSchema,
    async () => {
      const started = await startAndWait();
      if (freshSchema) await waitForDatabaseCall(run);
      return started;
    },
    () => run.say("waiting for the first server on this database to create MLflow's schema")
  );
  const why = action === "restart" && plan2.action === "keep" ? "MLflow was reinstalled" : plan2.reason;
  return { changed: true, summary: `${why}${upgraded}; ${out.trim().split("\n").slice(-1)[0]}` };
}
async function stopServer(run, plan2) {
  const desired = run.need(run.desired);
  const unitExists = run.need(run.facts).supervisor.unit?.sha256 !== void 0;
  if (plan2.switchFrom === "systemd") await run.run(removeUnitCommand(desired.layout));
  else if (desired.supervisor === "systemd" && unitExists) await run.run(stopUnitCommand(desired.layout));
  await run.run(stopServerCommand(desired.layout, plan2.stopGroups));
}
async function startServer(run, plan2) {
  const desired = run.need(run.desired);
  if (desired.supervisor === "nohup") return run.run(startServerCommand(desired.layout, desired.fingerprint, desired.fingerprintSalt));
  if (plan2.writeUnit && desired.unit !== void 0) {
    await run.perform([{ kind: "upload", path: unitUploadPath(desired.layout), content: desired.unit, mode: 420 }]);
    await run.run(installUnitCommand(desired.layout));
  }
  return run.run(startUnitCommand(desired.layout, desired.fingerprint, desired.fingerprintSalt));
}
async function upgradeSchemaWithEveryServerStopped(run, change, stop) {
  const desired = run.need(run.desired);
  const db = desired.db ?? run.config.db;
  const how = await run.schemaGate.versionChange(
    run.target.label,
    () => stop?.() ?? Promise.resolve(),
    () => {
      run.say(`MLflow ${change.from} -> ${change.to}: every server of this run on the database is stopped; running mlflow db upgrade once`);
      return run.run(dbUpgradeCommand(desired.layout, backendUriWithoutPassword(db), db.password));
    },
    () => run.say(`waiting for the other servers of this run on the database to stop before the schema upgrade to MLflow ${change.to}`)
  );
  return how === "migrated" ? `; database schema upgraded for MLflow ${change.to} with every server on it stopped` : `; database schema upgraded for MLflow ${change.to} by another host of this run`;
}
async function waitForDatabaseCall(run) {
  const desired = run.need(run.desired);
  const deadline = Date.now() + SERVER_START_TIMEOUT_SEC * 1e3;
  run.say("waiting for the server's first database call (MLflow creates its schema in an empty database)");
  let status = 0;
  while (Date.now() < deadline) {
    run.stopIfGone("the server's first database call");
    status = await run.conn.http(desired.port, {
      method: "POST",
      path: "/api/2.0/mlflow/experiments/search",
      hostHeader: `127.0.0.1:${desired.port}`,
      body: '{"max_results":1}',
      ...run.authHeaders()
    }).then(
      (r) => r.status,
      () => 0
    );
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new StepError(
    `The MLflow server on ${run.target.address} did not answer a database call within ${SERVER_START_TIMEOUT_SEC} s (last HTTP ${status}); see ${desired.layout.log}.`
  );
}
async function waitForHealth(run, logOffset = 0) {
  const desired = run.need(run.desired);
  const conn = run.conn;
  const deadline = Date.now() + SERVER_START_TIMEOUT_SEC * 1e3;
  const started = Date.now();
  let lastError = "";
  let tries = 0;
  let aliveChecked = started - 3500;
  while (Date.now() < deadline) {
    run.stopIfGone("the server to answer /health");
    tries += 1;
    try {
      const res = await conn.http(desired.port, { path: "/health", timeoutMs: 5e3 });
      if (res.status === 200) return;
      lastError = `HTTP ${res.status}`;
    } catch (err) {
      lastError = err.message;
    }
    if (Date.now() - aliveChecked >= 5e3) {
      aliveChecked = Date.now();
      const alive = await conn.exec(serverAliveCommand(desired.layout).command, { timeoutSec: 15 });
      if (alive.code !== 0) break;
      run.say(`waiting for the server to answer /health (${Math.round((Date.now() - started) / 1e3)} s)`);
    }
    await new Promise((r) => setTimeout(r, tries <= 20 ? 250 : 1e3));
  }
  const tailCmd = logTailCommand(desired.layout, 20, logOffset);
  const tail = (await conn.exec(tailCmd.command, { timeoutSec: tailCmd.timeoutSec }).catch(() => ({ stdout: "" }))).stdout;
  for (const line of tail.split("\n").filter(Boolean)) run.say(`log: ${line}`);
  const outdated = /Detected out-of-date database schema \(([^)]*)\)/.exec(tail);
  if (outdated) throw new SchemaOutOfDate(outdated[1]);
  throw new StepError(
    `The MLflow server did not answer /health on ${run.target.address}:${desired.port} (${lastError || "no answer"}); its last log lines are above and in ${desired.layout.log}.`
  );
}
var serverStep = { id: "server", title: "MLflow server", run: server };

// src/run/steps/verify.ts
import { randomBytes as randomBytes2 } from "node:crypto";

// src/verdicts/verify.ts
var FOREIGN_HOST = "dns-rebinding-check.invalid";
function judgeVerify(ctx, a) {
  const error = serverError(ctx, a) ?? artifactError(ctx, a);
  if (error) return { error, warnings: [], summary: "" };
  const warnings = [];
  let direct = "answers from here";
  const url = `${ctx.scheme ?? "http"}://${ctx.publicHost}/`;
  if (!a.fromHere) {
    direct = "not reachable from here";
    const ports = ctx.tls ? ctx.tls.mode === "acme" ? "TCP ports 443 and 80 (the CA checks the name on both)" : "TCP port 443 (and 80 for the redirect)" : `TCP port ${ctx.port}`;
    warnings.push(
      `The server is healthy on the VM, but ${url} does not answer from this machine: open ${ports} in the VM's network security group (Azure portal > VM > Networking > Add inbound port rule) and any firewall on the way.`
    );
  } else if (a.foreignHost === 403) {
    direct += ", refuses a foreign Host header";
  } else {
    direct += `, accepts a foreign Host header (HTTP ${a.foreignHost || "no answer"})`;
    warnings.push(
      `The server answered a request with the Host header "${FOREIGN_HOST}" with HTTP ${a.foreignHost || "(none)"} instead of 403: MLflow's DNS-rebinding protection is off${(ctx.allowedHosts ?? []).includes("*") ? " (--allowed-hosts *)" : ""}. Leave --allowed-hosts unset, or list only your own names.`
    );
  }
  if (a.plainPortFromHere) {
    warnings.push(
      `Port ${ctx.port} answers plain HTTP from this machine although MLflow should listen on 127.0.0.1 only behind the proxy: check what listens there (sudo ss -ltnp) and close TCP ${ctx.port} in the VM's network security group.`
    );
  } else if (a.plainPortFromHere === false) direct += `, port ${ctx.port} closed from here`;
  const names = a.searches.length - 1;
  if (names > 0) direct += `, ${names === 1 ? "the public name answers" : `all ${names} public names answer`}`;
  const login = ctx.auth ? ` (as ${ctx.auth.adminUser}; 401 without credentials)` : "";
  const https = ctx.tls ? "https verified, " : "";
  return { warnings, summary: `${https}/health ok, experiments search ok${login}, artifact round trip ok, ${direct}` };
}
function serverError(ctx, a) {
  if (a.health.status !== 200) return `The server on ${ctx.address} answers /health with HTTP ${a.health.status}.`;
  for (const r of a.searches) {
    if (r.status === 403 && /Cross-origin/i.test(r.body)) {
      return `The server blocks API calls from the UI at ${ctx.scheme ?? "http"}://${r.name} (403 Cross-origin request blocked): its origin is missing from --cors-allowed-origins in ${ctx.launcherPath}.`;
    }
    if (r.status === 403)
      return `The server rejects the Host header "${r.name}" (403): add it to --allowed-hosts, or leave --allowed-hosts unset for the default.`;
  }
  const [search, ...byName] = a.searches;
  const failedName = byName.find((r) => r.status !== 200);
  if (failedName && search?.status === 200) {
    return `An experiments search as the UI at ${ctx.scheme ?? "http"}://${failedName.name} sends it failed with HTTP ${failedName.status}; see ${ctx.logPath}.`;
  }
  if (search?.status === 401 && ctx.auth) {
    return `The server refuses the admin credentials (401): user "${ctx.auth.adminUser}" already exists in database "${ctx.auth.database}" with another password. MLflow uses MLFLOW_AUTH_ADMIN_PASSWORD only when it creates the admin: set it back to the password the admin was created with, or change that password in the UI (or with POST /api/2.0/mlflow/users/update-password) first.`;
  }
  if (a.anonymous && a.anonymous.status !== 401) {
    return `Basic auth is not in force: a call without credentials got HTTP ${a.anonymous.status}, not 401; see ${ctx.logPath}.`;
  }
  if (search?.status !== 200) {
    return `An experiments search through the server failed with HTTP ${search?.status ?? 0}: the server cannot use its database; see ${ctx.logPath}.`;
  }
  return void 0;
}
function artifactError(ctx, a) {
  const { put, got } = a;
  if (put.status === 200 && got?.status === 200 && got.body === a.payload) return void 0;
  const blob = ctx.blob;
  if (!blob) {
    return `The artifact round trip through the server failed (PUT ${put.status}, GET ${got?.status ?? "-"}): check that ${ctx.artifactsDir} is writable; see ${ctx.logPath}.`;
  }
  const failed = put.status !== 200 || !got ? put : got;
  const check = blob.credential.kind === "managed-identity" ? `that the VM's managed identity (--azure-identity) has the role "Storage Blob Data Contributor" on the storage account ${blob.account}` : blob.credential.kind === "connection-string" ? "AZURE_STORAGE_CONNECTION_STRING" : "AZURE_STORAGE_ACCESS_KEY";
  return `The artifact round trip through the server to ${blob.uri} failed (${put.status !== 200 ? "PUT" : "GET"} ${failed.status || "timeout"}: ${mlflowMessage(failed.body).trim().split("\n")[0].slice(0, 300)}): check ${check}, that the container ${blob.container} exists in the storage account ${blob.account}, and that the VM reaches ${blob.account}.blob.core.windows.net; see ${ctx.logPath}.`;
}
function mlflowMessage(body) {
  try {
    return JSON.parse(body).message ?? body;
  } catch {
    return body;
  }
}

// src/run/steps/verify.ts
var BLOB_ROUND_TRIP_WAIT_SEC = 20;
async function routeOf(run) {
  const desired = run.need(run.desired);
  const proxy = desired.proxy;
  if (!proxy) {
    const port = desired.port;
    return {
      scheme: "http",
      publicHost: `${urlHost(run.target.address)}:${port}`,
      names: (run.serverOptions.publicNames ?? []).map((n) => `${urlHost(n)}:${port}`),
      port,
      send: (req) => run.conn.http(port, req),
      direct: (req) => run.io.httpDirect(run.target.address, port, req),
      foreign: (req) => run.io.httpDirect(run.target.address, port, req)
    };
  }
  const checks = /* @__PURE__ */ new Map();
  for (const name of proxy.names) {
    const check = await tlsCheckFor(run, name);
    if (!check)
      throw new StepError(`Caddy on ${run.target.address} does not give its internal CA's root (admin API on 127.0.0.1:2019); see sudo journalctl -u caddy.`);
    checks.set(urlHost(name), check);
  }
  const first = urlHost(proxy.names[0]);
  const tlsFor = (req) => checks.get(req.hostHeader ?? first) ?? checks.get(first);
  return {
    scheme: "https",
    publicHost: first,
    names: proxy.names.slice(1).map(urlHost),
    port: 443,
    send: (req) => run.conn.http(443, { ...req, tls: tlsFor(req) }).catch((err) => {
      const code = err.code ?? "";
      if (!/CERT|SELF_SIGNED|ERR_TLS|UNABLE_TO|HOSTNAME/.test(code)) throw err;
      throw new StepError(
        `The certificate Caddy serves for ${req.hostHeader ?? first} does not verify (${err.message}): ${proxy.trust ? "check that --tls-ca-cert is the CA that issued it" : proxy.mode === "files" ? "check that --tls-cert holds the certificate and its chain, or give its CA with --tls-ca-cert" : "see Caddy's log (sudo journalctl -u caddy)"}.`
      );
    }),
    direct: (req) => run.io.httpDirect(run.target.address, 443, { ...req, tls: checks.get(first) }),
    foreign: (req) => run.conn.http(desired.port, req)
  };
}
async function gather(run, route) {
  const { port } = run.need(run.desired);
  const auth = run.authHeaders();
  const { publicHost, names } = route;
  const fromHere = route.direct({ path: "/health", timeoutMs: 5e3 }).then(
    (r) => r.status === 200,
    () => false
  );
  const foreignHost = route.foreign({ method: "POST", path: "/api/2.0/mlflow/experiments/search", hostHeader: FOREIGN_HOST, body: "{}", timeoutMs: 5e3 }).then(
    (r) => r.status,
    () => 0
  );
  const plainPort = route.scheme === "https" ? run.io.httpDirect(run.target.address, port, { path: "/health", timeoutMs: 3e3 }).then(
    () => true,
    () => false
  ) : void 0;
  const payload = `provision artifact check ${(/* @__PURE__ */ new Date()).toISOString()}`;
  const searchReq = {
    method: "POST",
    path: "/api/2.0/mlflow/experiments/search",
    hostHeader: publicHost,
    body: JSON.stringify({ max_results: 1 })
  };
  const asBrowser = (host) => ({
    ...searchReq,
    hostHeader: host,
    headers: { ...auth.headers, Origin: `${route.scheme}://${host.replace(/:80$/, "")}` }
  });
  const [health, searches, roundTrip, anonymous] = await Promise.all([
    run.conn.http(port, { path: "/health" }),
    // The public host, then each --public-name, as the UI opened at that name calls the API.
    Promise.all([publicHost, ...names].map((name) => route.send(asBrowser(name)).then((r) => ({ name, ...r })))),
    artifactRoundTrip(run, route, payload),
    // --auth basic: the same call without credentials must be refused.
    run.config.auth ? route.send(searchReq) : void 0
  ]);
  for (const r of searches) if (r.cert && r.name === publicHost) run.notes.servedCertificate = r.cert;
  const plain = plainPort === void 0 ? {} : { plainPortFromHere: await plainPort };
  return { health, searches, ...roundTrip, ...anonymous ? { anonymous } : {}, payload, fromHere: await fromHere, foreignHost: await foreignHost, ...plain };
}
async function artifactRoundTrip(run, route, payload) {
  const auth = run.authHeaders();
  const publicHost = route.publicHost;
  const blob = run.serverOptions.blob;
  const path = `/api/2.0/mlflow-artifacts/artifacts/provision-check/${randomBytes2(6).toString("hex")}.txt`;
  const put = await route.send({
    method: "PUT",
    path,
    hostHeader: publicHost,
    body: payload,
    contentType: "text/plain",
    ...auth,
    ...blob ? { timeoutMs: BLOB_ROUND_TRIP_WAIT_SEC * 1e3 } : {}
  }).catch((err) => {
    if (!blob || run.interrupted) throw err;
    return { status: 0, body: `no answer within ${BLOB_ROUND_TRIP_WAIT_SEC} s; MLflow retries a storage account it cannot reach for over a minute` };
  });
  const got = put.status === 200 ? await route.send({ path, hostHeader: publicHost, ...auth }) : void 0;
  await route.send({ method: "DELETE", path, hostHeader: publicHost, ...auth }).catch(() => void 0);
  return { put, ...got ? { got } : {} };
}
async function verify(run) {
  const desired = run.need(run.desired);
  const server2 = run.serverOptions;
  const route = await routeOf(run);
  const answers = await gather(run, route);
  const verdict = judgeVerify(
    {
      address: run.target.address,
      port: desired.port,
      publicHost: route.publicHost,
      scheme: route.scheme,
      launcherPath: desired.layout.launcher,
      logPath: desired.layout.log,
      artifactsDir: desired.layout.artifactsDir,
      ...run.config.auth ? { auth: run.config.auth } : {},
      ...server2.blob ? { blob: server2.blob } : {},
      ...server2.allowedHosts ? { allowedHosts: server2.allowedHosts } : {},
      ...desired.proxy ? { tls: { mode: desired.proxy.mode } } : {}
    },
    answers
  );
  if (verdict.error) throw new StepError(verdict.error);
  run.warnings.push(...verdict.warnings);
  return { changed: false, summary: verdict.summary };
}
var verifyStep = { id: "verify", title: "Health check", liveOnly: true, run: verify };

// src/run/steps/index.ts
var STEPS = [connectStep, databaseStep, packagesStep, pythonStep, artifactsStep, filesStep, serverStep, proxyStep, verifyStep];

// src/run/tasks.ts
function stepsFor(config) {
  return config.dryRun ? STEPS.filter((s) => !s.liveOnly) : STEPS;
}
function stepTask(def, host, last, finish) {
  return {
    title: def.title,
    task: async (_ctx, task) => {
      try {
        host.onLine((line) => {
          task.output = line;
        });
        const outcome = await host.execute(def);
        const label = host.config.dryRun ? outcome.changed ? "would change" : "unchanged" : outcome.changed ? "changed" : "unchanged";
        task.title = `${def.title}: ${label} (${outcome.summary})`;
        if (last) finish();
      } catch (err) {
        finish(err);
        throw err;
      }
    }
  };
}
function useFallbackRenderer(config) {
  const out = config.output.json ? process.stderr : process.stdout;
  return !out.isTTY || !out.columns || Boolean(process.env.CI) || config.output.verbose || process.env.TERM === "dumb";
}
async function runHosts(config, handle) {
  const schemaGate = new SchemaGate();
  const processOutput = config.output.json ? new ProcessOutput(process.stderr, process.stderr) : new ProcessOutput();
  const logger = new ListrLogger({ processOutput, useIcons: true });
  const tasks = config.targets.map((target) => ({
    title: target.label,
    task: (_ctx, task) => {
      if (handle.aborted) {
        task.skip(`${target.label}: not started (interrupted)`);
        return;
      }
      let log;
      try {
        log = new HostLog(config.output.logDir, target.label);
      } catch (err) {
        handle.results.set(target.label, {
          host: target.label,
          status: "failed",
          changed: [],
          error: errorMessage(err),
          warnings: [],
          durationMs: 0,
          sshConnections: 0,
          remoteCommands: 0,
          portForwards: 0
        });
        throw err;
      }
      const host = new HostRun(target, config, log, schemaGate);
      handle.runs.push(host);
      schemaGate.join(target.label);
      const steps = stepsFor(config);
      const finish = (err) => {
        if (err === void 0) {
          task.title = `${target.label}: ${host.changed.length ? `${config.dryRun ? "would change" : "changed"} ${host.changed.join(", ")}` : "no changes"}`;
          handle.results.set(target.label, host.result());
        } else {
          log.write(`FAILED: ${errorMessage(err)}`);
          handle.results.set(target.label, host.result(err));
        }
        schemaGate.leave(target.label);
        host.close();
        log.close();
      };
      return task.newListr(
        steps.map((s, i) => stepTask(s, host, i === steps.length - 1, finish)),
        { concurrent: false, exitOnError: true }
      );
    }
  }));
  const list = new Listr(tasks, {
    concurrent: config.concurrency,
    exitOnError: false,
    registerSignalListeners: false,
    renderer: "default",
    rendererOptions: { logger, collapseSubtasks: false, outputBar: 6, showErrorMessage: true },
    fallbackRenderer: "simple",
    fallbackRendererOptions: { logger },
    fallbackRendererCondition: () => useFallbackRenderer(config)
  });
  await list.run();
}

// src/cli/fast-parse.ts
import { parseArgs } from "node:util";
function fastParse(args, table = OPTIONS) {
  const options = {};
  for (const o of table) options[o.name] = { type: o.type === "boolean" ? "boolean" : "string", ...o.array ? { multiple: true } : {} };
  const parse = () => parseArgs({ args, options, strict: true, allowPositionals: false, tokens: true });
  let parsed;
  try {
    parsed = parse();
  } catch {
    return void 0;
  }
  const seen = /* @__PURE__ */ new Set();
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== "option") return void 0;
    if (t.rawName !== `--${t.name}`) return void 0;
    const spec = table.find((o) => o.name === t.name);
    if (!spec) return void 0;
    if (seen.has(t.name) && !spec.array) return void 0;
    seen.add(t.name);
    if (spec.type !== "boolean") {
      const v = t.value ?? "";
      if (v === "" || v.startsWith("-")) return void 0;
      if (spec.type === "number" && !/^[0-9]+$/.test(v)) return void 0;
      if (spec.choices && !spec.choices.includes(v)) return void 0;
    }
  }
  return { ...parsed.values };
}

// src/cli/render-results.ts
import { resolve as resolve2 } from "node:path";
function seconds(ms) {
  return `${(ms / 1e3).toFixed(1)} s`;
}
function nextSteps(result, config, user, sshTarget) {
  const url = result.url ?? "";
  const ssh = `ssh ${sshTarget}`;
  const auth = config.auth;
  const port = new URL(url).port || config.server.port;
  const lines = [
    kleur_default.green().bold(`MLflow tracking server is running: ${url}`),
    `  Open the UI:        ${url}`,
    `  Point clients at it: mlflow.set_tracking_uri("${url}")   or   export MLFLOW_TRACKING_URI=${url}`,
    ...auth ? [
      `  Log in:             user ${auth.adminUser} with the password from MLFLOW_AUTH_ADMIN_PASSWORD (the browser asks; /health stays open)`,
      `  Clients log in with: export MLFLOW_TRACKING_USERNAME=${auth.adminUser} MLFLOW_TRACKING_PASSWORD='<the admin password>'   (better: a user of their own, see docs/auth.md)`
    ] : [],
    ...supervisorLines(result, ssh),
    `  Files on the VM:    ${tildePath("launcher")}, ${tildePath("secrets")} (0600, database URI${auth ? ", admin password, session key" : ""}${config.server.blob && config.server.blob.credential.kind !== "managed-identity" ? ", storage credential" : ""})${auth ? `, ${tildePath("authIni")}` : ""}, artifacts in ${result.artifactsDir ?? config.server.artifactsDir ?? `/home/${user}/${VM_FILES.artifactsDir}`}`,
    ...result.tls ? tlsLines(result.tls, config.server.port, ssh) : [],
    ...result.tls ? [] : [
      auth ? `  Network:            the login travels over plain HTTP: allow TCP ${port} in the VM's network security group only from addresses you trust, or use --tls (docs/tls.md).` : `  Network:            the UI has no login; allow TCP ${port} in the VM's network security group only from addresses you trust.`
    ]
  ];
  for (const w of result.warnings) lines.push(kleur_default.yellow(`  ! ${w}`));
  return lines.join("\n");
}
function tlsLines(tls, port, ssh) {
  const trust = tls.caCertPath ?? (tls.trustFile ? resolve2(tls.trustFile) : void 0);
  const cert = tls.certificate ? `, valid until ${tls.certificate.validTo.slice(0, 10)}${tls.certificate.issuer ? ` (${tls.certificate.issuer})` : ""}` : "";
  return [
    `  HTTPS:              Caddy (--tls ${tls.mode}) on 443${tls.mode === "acme" ? ", renews the certificate itself" : ""}${cert}; http:// on 80 redirects; MLflow listens on 127.0.0.1:${port} only`,
    ...trust ? [
      `  Trust its CA:       export MLFLOW_TRACKING_SERVER_CERT_PATH=${trust}   (Python clients; browsers: import ${trust} as a trusted root, see docs/tls.md)`
    ] : [],
    `  Proxy log:          ${ssh} sudo journalctl -u caddy`,
    `  Network:            allow TCP 443${tls.mode === "acme" ? " and 80 (the CA checks the name there)" : " (and 80 for the redirect)"} in the VM's network security group; TCP ${port} need not be open.`
  ];
}
function supervisorLines(result, ssh) {
  if (result.supervisor === "systemd") {
    return [
      `  Supervisor:         systemd (${UNIT_NAME}): restarted after a crash, started at boot`,
      `  Follow the log:     ${ssh} tail -f ${VM_FILES.log}   (systemd's own lines: ${ssh} journalctl -u ${UNIT_NAME})`,
      `  Restart or stop it: ${ssh} sudo systemctl restart ${UNIT_NAME}   /   sudo systemctl stop ${UNIT_NAME}`
    ];
  }
  return [
    "  Supervisor:         nohup: a reboot of the VM (or an Azure stop/start) stops the server. Rerun provision to bring it back, or use --supervisor systemd.",
    `  Follow the log:     ${ssh} tail -f ${VM_FILES.log}`,
    `  Stop it:            ${ssh} 'kill -- -$(cut -d" " -f1 ${VM_FILES.pidFile})'`,
    `  Start it again:     rerun provision (it starts only what is missing), or ${ssh} 'setsid nohup ./${VM_FILES.launcher} </dev/null >>${VM_FILES.log} 2>&1 &'`
  ];
}
function summaryTable(results) {
  const rows = results.map((r) => {
    const status = r.status === "ok" ? kleur_default.green("ok") : kleur_default.red(r.status);
    const what = r.status === "ok" ? r.url ?? "" : r.error ?? "";
    const changed = r.changed.length ? r.changed.join(",") : "-";
    return `  ${r.host.padEnd(24)} ${status.padEnd(12)} ${seconds(r.durationMs).padStart(7)}  changed: ${changed}
      ${what}${r.log ? kleur_default.dim(`  (log: ${r.log})`) : ""}`;
  });
  return [kleur_default.bold("Summary"), ...rows].join("\n");
}
function jsonResult(r) {
  return JSON.stringify({
    host: r.host,
    status: r.status,
    changed: r.changed,
    url: r.url ?? null,
    error: r.error ?? null,
    warnings: r.warnings,
    durationMs: r.durationMs,
    sshConnections: r.sshConnections,
    remoteCommands: r.remoteCommands,
    portForwards: r.portForwards,
    supervisor: r.supervisor ?? null,
    tls: r.tls ?? null,
    log: r.log ?? null
  });
}

// src/cli/main.ts
function packageVersion() {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  return pkg.version;
}
function envFileFrom(args) {
  const i = args.findIndex((a) => a === "--env-file" || a.startsWith("--env-file="));
  if (i < 0) {
    const fromEnv = process.env.PROVISION_ENV_FILE;
    return fromEnv ? { path: fromEnv, named: "PROVISION_ENV_FILE" } : { path: ".env" };
  }
  const arg = args[i];
  if (arg.includes("=")) return { path: arg.slice(arg.indexOf("=") + 1), named: "--env-file" };
  const next = args[i + 1];
  return next !== void 0 && !next.startsWith("-") ? { path: next, named: "--env-file" } : { path: ".env" };
}
function loadEnvFile(args) {
  const { path, named } = envFileFrom(args);
  if (named && path === "") return `${named} is empty: give the dotenv file to read, e.g. --env-file prod.env.`;
  const { error } = import_dotenv.default.config({ path, quiet: true });
  const code = error?.code;
  if (!error || !named && (code === "ENOENT" || code === "EISDIR")) return void 0;
  const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : code === "EACCES" ? "permission denied" : code ?? error.message;
  return `Cannot read the env file ${shown(path)} (${why}): ${named ? `check ${named}` : "make it readable, or name another file with --env-file"}.`;
}
function fail(message) {
  process.stderr.write(`${kleur_default.red("provision:")} ${maskSecrets(message)}
`);
}
async function resolveConfig(argv2) {
  const settings = readSettings(argv2, process.env);
  const interactive = canPrompt(argv2);
  const { password, passphrase, more } = await completeSettings(settings, process.env, { interactive });
  let config = buildConfig(settings, password, passphrase, void 0, more);
  const keys = checkIdentityFiles(config.targets, config.ssh.passphrase);
  if (!keys.ok) {
    if (!interactive) {
      throw new UsageError(
        `${keys.file} is encrypted and no passphrase is available: set PROVISION_SSH_PASSPHRASE, load the key into ssh-agent, or run in a terminal to be asked.`
      );
    }
    const asked = await askPassphrase(keys.file);
    config = buildConfig(settings, password, asked, void 0, more);
    checkIdentityFiles(config.targets, asked);
  }
  return config;
}
function report(config, results) {
  if (config.output.json) {
    for (const r of results) process.stdout.write(`${jsonResult(r)}
`);
    return;
  }
  const out = [""];
  if (config.dryRun) {
    for (const r of results) {
      out.push(
        r.status === "ok" ? `${r.host}: ${r.changed.length ? `would change ${r.changed.join(", ")}` : "nothing to change"} (dry run: nothing was touched)` : kleur_default.red(`${r.host}: ${r.error}`)
      );
    }
  } else {
    for (const r of results) {
      const target = config.targets.find((t) => t.label === r.host);
      if (r.status === "ok" && target) {
        const sshTarget = `${target.user}@${target.address}${target.port !== 22 ? ` -p ${target.port}` : ""}`;
        out.push(nextSteps(r, config, target.user, sshTarget), "");
      }
    }
    const failed = results.filter((r) => r.status !== "ok");
    if (results.length > 1) out.push(summaryTable(results));
    else for (const r of failed) out.push(`${kleur_default.red("\u2716")} ${r.host}: ${r.error}`, kleur_default.dim(`  full log: ${r.log}`));
  }
  process.stdout.write(`${out.join("\n")}
`);
}
async function statusCommand(argv2) {
  const config = await statusConfigFrom(readSettings(argv2, process.env), argv2);
  for (const w of config.warnings) process.stderr.write(`${kleur_default.yellow("!")} ${w}
`);
  const { runStatus } = await import("./status-ZBLL5O74.js");
  const { statusJson, statusText } = await import("./render-status-J6AFDKUI.js");
  const results = await runStatus(config);
  if (config.output.json) for (const r of results) process.stdout.write(`${statusJson(r)}
`);
  else process.stdout.write(`${results.map(statusText).join("\n\n")}
`);
  return results.every((r) => r.healthy) ? EXIT.ok : EXIT.failed;
}
async function parseWithYargs(args) {
  const { buildParser } = await import("./parser-OPYIVQRB.js");
  let parseError;
  const parser = buildParser(args, packageVersion()).fail((msg, err) => {
    parseError = msg || err?.message || "invalid arguments";
  });
  const argv2 = await parser.parseAsync();
  if (parseError) {
    const msg = parseError.replace(/^(Unknown arguments?): (.*)$/, (_, head, list) => {
      const names = list.split(", ");
      const kept = names.filter((n) => !names.some((o) => o !== n && o.includes("-") && o.replace(/-([a-z])/g, (_m, c) => c.toUpperCase()) === n));
      return `${kept.length === 1 ? "Unknown argument" : "Unknown arguments"}: ${kept.join(", ")}`;
    });
    const word = argv2._ ? argv2._[0] : void 0;
    const help = typeof word === "string" && ["status", ...LIFECYCLE_COMMANDS].includes(word) ? `provision ${word} --help` : "provision --help";
    throw new UsageError(`${msg.replace(/\.$/, "")}. Run ${help} for the options.`);
  }
  return argv2;
}
var current = {
  handle: { results: /* @__PURE__ */ new Map(), runs: [] },
  interrupted: false,
  reported: false,
  settled: false
};
function collectResults(config, handle, unfinished) {
  return config.targets.map((t) => {
    const done = handle.results.get(t.label);
    if (done) return done;
    const run = handle.runs.find((r) => r.target.label === t.label);
    if (run) return run.result(new StepError(unfinished));
    return {
      host: t.label,
      status: "failed",
      changed: [],
      error: current.interrupted ? "not started (interrupted)" : "not started",
      warnings: [],
      durationMs: 0,
      sshConnections: 0,
      remoteCommands: 0,
      portForwards: 0
    };
  });
}
function reportAbnormalEnd(why) {
  const { config, handle } = current;
  if (current.reported) return;
  current.reported = true;
  fail(why);
  if (config) report(config, collectResults(config, handle, `the run stopped before this host finished: ${why}`));
  process.exitCode = current.interrupted ? EXIT.interrupted : EXIT.failed;
}
async function main() {
  const args = process.argv.slice(2);
  const envFileProblem = loadEnvFile(args);
  if (envFileProblem) {
    fail(envFileProblem);
    return EXIT.usage;
  }
  const verbose = args.includes("--verbose") || process.env.PROVISION_VERBOSE === "true";
  let config;
  const { handle } = current;
  let interrupted = false;
  try {
    if (args.some((a) => a === "--pg-password" || a.startsWith("--pg-password="))) {
      throw new UsageError(
        "--pg-password is not accepted: a password on the command line leaks into shell history and ps. Set POSTGRES_PASSWORD in .env or use --pg-password-stdin."
      );
    }
    if (args.some((a) => a === "--auth-admin-password" || a.startsWith("--auth-admin-password="))) {
      throw new UsageError(
        "--auth-admin-password is not accepted: a password on the command line leaks into shell history and ps. Set MLFLOW_AUTH_ADMIN_PASSWORD in .env, or run in a terminal to be asked."
      );
    }
    const lifecycle = LIFECYCLE_COMMANDS.includes(args[0] ?? "") ? args[0] : void 0;
    const fast = args[0] === "status" ? fastParse(args.slice(1), STATUS_OPTIONS) : lifecycle ? fastParse(args.slice(1), lifecycleOptions(lifecycle)) : fastParse(args);
    const argv2 = fast ?? await parseWithYargs(args);
    const command = fast ? args[0] : argv2._?.[0];
    if (command === "status") return await statusCommand(argv2);
    if (LIFECYCLE_COMMANDS.includes(command)) {
      const { lifecycleCommand } = await import("./lifecycle-command-FYN2M3M2.js");
      return await lifecycleCommand(command, argv2);
    }
    config = await resolveConfig(argv2);
    current.config = config;
    const onSignal = () => {
      if (interrupted) {
        reportAbnormalEnd("interrupted twice: closing at once");
        process.exit(EXIT.interrupted);
      }
      interrupted = true;
      current.interrupted = true;
      handle.aborted = true;
      process.stderr.write(`
${kleur_default.yellow("Interrupted: stopping remote commands and closing connections...")}
`);
      for (const run of handle.runs) void run.interrupt();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    for (const w of config.warnings) process.stderr.write(`${kleur_default.yellow("!")} ${w}
`);
    await runHosts(config, handle);
    const results = collectResults(config, handle, interrupted ? "interrupted" : "the run ended before this host finished");
    current.reported = true;
    report(config, results);
    if (interrupted) return EXIT.interrupted;
    return results.every((r) => r.status === "ok") ? EXIT.ok : EXIT.failed;
  } catch (err) {
    if (err instanceof UsageError) {
      fail(err.message);
      return err.exitCode;
    }
    fail(errorMessage(err));
    if (verbose && err instanceof Error && err.stack) process.stderr.write(`${maskSecrets(err.stack)}
`);
    else process.stderr.write("Run again with --verbose for details.\n");
    return EXIT.failed;
  }
}
maskStreams(process.stdout, process.stderr);
process.exitCode = EXIT.failed;
process.on("beforeExit", () => {
  if (!current.settled) reportAbnormalEnd("an operation on a VM never completed; rerun provision to continue.");
});
var crashed = (err) => {
  if (current.settled) return;
  reportAbnormalEnd(`internal error: ${errorMessage(err)}`);
  if (process.argv.includes("--verbose") && err instanceof Error && err.stack) process.stderr.write(`${maskSecrets(err.stack)}
`);
  process.exit(process.exitCode ?? EXIT.failed);
};
process.on("uncaughtException", crashed);
process.on("unhandledRejection", crashed);
main().then(
  (code) => {
    current.settled = true;
    process.exitCode = code;
  },
  (err) => {
    current.settled = true;
    fail(errorMessage(err));
    process.exitCode = EXIT.failed;
  }
);
