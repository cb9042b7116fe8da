import { caddyActiveCommand, caddyJournalCommand } from '../../plan/proxy-commands.js';
import { planProxy, type ProxyPlan } from '../../plan/proxy-plan.js';
import { CADDY_UNIT } from '../../render/caddyfile.js';
import { httpFailureDetail } from '../../checks/http.js';
import { StepError } from '../../util/errors.js';
import { urlHost } from '../../util/url-host.js';
import type { HostRun } from '../host-run.js';
import { issuerOf, storedCertificateIssuer } from '../../checks/caddy.js';
import { isUntrustedChain, UNTRUSTED_ANSWERS, untrustedSentence } from '../../verdicts/certificate-wait.js';
import { tlsCheckFor } from '../tls-trust.js';
import { planned, type PlanInput, type StepOutcome } from './step.js';

/** How long Caddy may take to get (or make) the certificate and serve it; Let's Encrypt usually takes seconds. */
export const CERTIFICATE_WAIT_SEC = 120;

function plan({ facts, desired }: PlanInput): ProxyPlan {
  return planProxy(facts, desired.proxy, desired.layout.home);
}

async function apply(run: HostRun, plan: ProxyPlan): Promise<StepOutcome> {
  await run.perform(plan.actions);
  const proxy = run.need(run.desired).proxy;
  if (!proxy || !plan.awaitCertificate) return { changed: true, summary: plan.reason };
  const seconds = await waitForCertificate(run);
  const cert = run.notes.servedCertificate;
  const until = cert ? `, certificate by ${cert.issuer || 'its CA'} valid until ${cert.validTo.slice(0, 10)}` : '';
  return { changed: true, summary: `${plan.reason}; serving https://${urlHost(proxy.names[0]!)}${until} after ${seconds.toFixed(1)} s` };
}

/**
 * Until Caddy serves a certificate for the first name that verifies (chain, dates, name), asked from the
 * VM's side through the SSH connection so the NSG plays no part; bounded. A certificate served whose chain
 * the checks do not trust (a CA this machine does not know) ends the wait after a few answers: waiting does
 * not change who issued it. Caddy stopped, or no certificate in time: its last log lines, and one sentence
 * with the likely cause.
 */
async function waitForCertificate(run: HostRun): Promise<number> {
  const proxy = run.need(run.desired).proxy!;
  const name = proxy.names[0]!;
  const started = Date.now();
  const deadline = started + CERTIFICATE_WAIT_SEC * 1000;
  let last = 'no answer';
  let said = started;
  let untrusted = 0;
  while (Date.now() < deadline) {
    run.stopIfGone(`Caddy's certificate for ${name}`);
    const tls = await tlsCheckFor(run, name);
    if (tls) {
      try {
        const res = await run.conn.http(443, { path: '/health', tls, timeoutMs: 5000 });
        if (res.cert) run.notes.servedCertificate = res.cert;
        if (res.status === 200) return (Date.now() - started) / 1000;
        last = `HTTP ${res.status}`;
        untrusted = 0;
      } catch (err) {
        const code = proxy.mode === 'internal' ? undefined : isUntrustedChain(err);
        untrusted = code ? untrusted + 1 : 0;
        if (code && untrusted >= UNTRUSTED_ANSWERS) throw await untrustedError(run, code);
        // OpenSSL's messages run over several lines: the first says it.
        last = httpFailureDetail(err)
          .split('\n')[0]!
          .replace(/^write EPROTO [0-9A-F]+:error:[0-9A-F]+:SSL routines:[a-z0-9_]+:/, 'TLS handshake refused: ');
      }
    } else last = "Caddy's internal CA is not ready";
    if (Date.now() - said >= 10000) {
      said = Date.now();
      const active = await run.read(caddyActiveCommand());
      if (active.stdout.trim() === 'failed' || active.stdout.trim() === 'inactive') break;
      run.say(`waiting for Caddy's certificate for ${name} (${Math.round((Date.now() - started) / 1000)} s: ${last})`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const tail = caddyJournalCommand();
  const journal = (await run.read(tail).catch(() => ({ stdout: '' }))).stdout;
  for (const line of journal.split('\n').filter(Boolean)) run.say(`caddy: ${line}`);
  const where = proxy.mode === 'acme' ? ` from ${proxy.directory ?? "Let's Encrypt"}` : '';
  const cause =
    proxy.mode === 'acme'
      ? `check that ${name} resolves to the VM's public address and that TCP 80 and 443 are open to the internet in the VM's network security group (the CA connects to both)`
      : proxy.mode === 'files'
        ? `check that --tls-cert is for ${name} and chains to the CA the checks trust (--tls-ca-cert)`
        : "see Caddy's log";
  throw new StepError(
    `Caddy did not serve a valid certificate for ${name}${where} within ${CERTIFICATE_WAIT_SEC} s (${last}): ${cause}; its last log lines are above (sudo journalctl -u ${CADDY_UNIT}).`,
  );
}

/** The served certificate's chain is not trusted: one sentence naming its issuer and --tls-ca-cert. */
async function untrustedError(run: HostRun, code: string): Promise<StepError> {
  const proxy = run.need(run.desired).proxy!;
  const name = proxy.names[0]!;
  const own = proxy.files.find((f) => f.role === 'cert')?.content;
  const issuer = typeof own === 'string' ? issuerOf(own) : await storedCertificateIssuer((c) => run.read(c), name);
  const trustFile = run.config.tls?.trust?.source;
  return new StepError(untrustedSentence({ name, mode: proxy.mode, code, ...(issuer ? { issuer } : {}), ...(trustFile ? { trustFile } : {}) }));
}

export const proxyStep = planned<ProxyPlan>({ id: 'proxy', title: 'HTTPS proxy (Caddy)', plan, apply });
