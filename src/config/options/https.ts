/** HTTPS in front of MLflow and what the checks trust: the options config/tls.ts reads. */
import { EVERY_COMMAND, type OptionSpec } from './spec.js';

export const TLS_MODES = ['none', 'acme', 'internal', 'files'] as const;
export type TlsMode = Exclude<(typeof TLS_MODES)[number], 'none'>;

export const HTTPS_OPTIONS = [
  {
    name: 'tls',
    type: 'string',
    group: 'HTTPS',
    env: ['PROVISION_TLS'],
    choices: TLS_MODES,
    default: 'none',
    describe:
      "HTTPS in front of MLflow, by Caddy on 443 (and 80) with MLflow on 127.0.0.1 only: acme (a certificate for --public-name from Let's Encrypt or --acme-ca, renewed by Caddy), internal (a private CA on the VM; its root is downloaded), files (--tls-cert and --tls-key); see docs/tls.md",
  },
  {
    name: 'acme-ca',
    type: 'string',
    group: 'HTTPS',
    env: ['PROVISION_ACME_CA'],
    defaultText: "Let's Encrypt",
    describe: "with --tls acme: another ACME directory URL, e.g. Let's Encrypt's staging https://acme-staging-v02.api.letsencrypt.org/directory",
  },
  {
    name: 'acme-ca-root',
    type: 'string',
    group: 'HTTPS',
    env: ['PROVISION_ACME_CA_ROOT'],
    describe: "with --acme-ca: PEM root certificate the ACME directory's own HTTPS chains to (a private ACME server)",
  },
  {
    name: 'acme-email',
    type: 'string',
    group: 'HTTPS',
    env: ['PROVISION_ACME_EMAIL'],
    describe: 'with --tls acme: contact address for the ACME account',
  },
  {
    name: 'tls-cert',
    type: 'string',
    group: 'HTTPS',
    env: ['PROVISION_TLS_CERT'],
    describe: 'with --tls files: PEM certificate, then its chain (uploaded, 0644)',
  },
  {
    name: 'tls-key',
    type: 'string',
    group: 'HTTPS',
    env: ['PROVISION_TLS_KEY'],
    describe: 'with --tls files: PEM private key of --tls-cert, without passphrase (uploaded 0600, readable by Caddy only; never printed)',
  },
  {
    name: 'tls-ca-cert',
    commands: EVERY_COMMAND,
    type: 'string',
    group: 'HTTPS',
    env: ['PROVISION_TLS_CA_CERT'],
    defaultText: "this machine's roots; with --tls internal the VM's CA",
    describe: "PEM root certificate(s) the HTTPS checks trust for the server's certificate (e.g. a staging or private CA)",
  },
] as const satisfies readonly OptionSpec[];
