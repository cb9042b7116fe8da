/** What the driver's helper module (pg/lib/crypto/utils.js) exports that matters here. */
interface PgCryptoHelpers {
  deriveKey?: (password: string, salt: Uint8Array, iterations: number) => Promise<ArrayBuffer>;
}

/** The last key derived: a run logs in as one role, so one entry serves every login. */
let last: { password: string; salt: string; iterations: number; key: Promise<ArrayBuffer> } | undefined;

/**
 * SCRAM's salted password derived once a run: node-postgres derives it at each login (PBKDF2, 4096 rounds of
 * SHA-256 on Azure and the lab, ~1.2 ms of CPU), though it depends only on the password and the role's salt and
 * iteration count, the same at every login of a run: a fleet's 200 database checks derive it once. The driver
 * calls deriveKey through its helper module's exports at each login, so wrapping that export is enough; a driver
 * without it is left as it is (each login then derives its own, as before). A failed derivation is not kept.
 */
export function deriveScramKeyOnce(helpers: PgCryptoHelpers): void {
  const derive = helpers.deriveKey;
  if (typeof derive !== 'function' || derive.name === 'deriveKeyOnce') return;
  helpers.deriveKey = function deriveKeyOnce(password, salt, iterations) {
    const saltText = Buffer.from(salt).toString('base64');
    if (last && last.password === password && last.salt === saltText && last.iterations === iterations) return last.key;
    const key = derive.call(helpers, password, salt, iterations);
    const entry = { password, salt: saltText, iterations, key };
    last = entry;
    key.catch(() => {
      if (last === entry) last = undefined;
    });
    return key;
  };
}
