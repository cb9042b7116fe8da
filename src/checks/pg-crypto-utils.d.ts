// node-postgres's helper module for SCRAM (no types of its own): what checks/scram-key.ts wraps.
declare module 'pg/lib/crypto/utils.js' {
  const helpers: { deriveKey?: (password: string, salt: Uint8Array, iterations: number) => Promise<ArrayBuffer> };
  export default helpers;
}
