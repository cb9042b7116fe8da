import type { RemoteCommand } from '../action/action.js';
import { shq } from '../util/shell-quote.js';
import type { DrainFacts } from './probe/types.js';

/**
 * Draining a VM out of its load balancer, without touching a client's connection: the load balancer's health
 * probe is made to fail, and nothing else.
 *
 * Why this way (docs/fleet.md, "Rolling restarts"). An Azure Load Balancer's probes come from 168.63.129.16
 * while data keeps the client's address. Refusing new connections on the port for everyone would send clients
 * into refusals until the probe notices (Azure's LB does not retry them). A probe on its own port, forwarded by
 * nftables to the server's, needs nftables on every VM and a forward in place for the VM to be in the pool at
 * all. What we do instead needs only iproute2 (on every Azure image) and leaves nothing behind in normal
 * operation: one policy-routing rule that makes the VM's replies from the server's port to the probe's address
 * unroutable (`prohibit`). The probe's SYN gets no SYN-ACK, so the probe fails; clients' connections, new and in
 * flight, are served as before; the VM's own traffic to 168.63.129.16 (DNS, the Azure agent) comes from other
 * ports and is untouched. The rule is not persistent: a reboot ends a drain a failed run left behind.
 */

/** Azure's probe address (and DNS, DHCP, agent): the source of every Azure Load Balancer health probe. */
export const AZURE_PROBE_SOURCE = '168.63.129.16';

/** Caddy's HTTPS port (--tls): the load balancer's rule and probe target it, MLflow listens on 127.0.0.1. */
const PROXY_HTTPS_PORT = 443;

/** The port the load balancer probes: MLflow's, or with --tls the proxy's. */
export function probedPort(mlflowPort: number, proxied: boolean): number {
  return proxied ? PROXY_HTTPS_PORT : mlflowPort;
}

/** The preference of provision's drain rule (between the local table's 0 and the main table's 32766): its mark. */
export const DRAIN_RULE_PREF = 32100;

const ruleOf = (port: number, probeSource: string): string =>
  `pref ${DRAIN_RULE_PREF} to ${shq(`${probeSource}/32`)} ipproto tcp sport ${Number(port)} prohibit`;

/** Removes every rule at the drain rule's preference: the current drain and any a failed run left. */
const clearRules = `while sudo -n ip rule del pref ${DRAIN_RULE_PREF} 2>/dev/null; do :; done`;

/** Takes the VM out of the load balancer: the probe's packets to `port` get no answer from now on. */
export function drainCommand(port: number, probeSource: string): RemoteCommand {
  return {
    kind: 'drain-start',
    label: `drain: no answer from port ${port} to the load balancer's probe (${probeSource})`,
    command: `${clearRules}; sudo -n ip rule add ${ruleOf(port, probeSource)}`,
    timeoutSec: 30,
  };
}

/** Puts the VM back: the drain rule goes (idempotent: nothing to remove is fine). */
export function rejoinCommand(): RemoteCommand {
  return {
    kind: 'drain-end',
    label: `rejoin: the load balancer's probe answered again (ip rule pref ${DRAIN_RULE_PREF} removed)`,
    command: `${clearRules}; true`,
    timeoutSec: 30,
  };
}

/** A drain left on the VM (an interrupted rolling restart): out of its load balancer, so `status` calls it a problem. */
export function judgeDrain(status: { drained?: DrainFacts; problems: string[] }, drain: DrainFacts | undefined): void {
  if (!drain) return;
  status.drained = drain;
  status.problems.push(drainedProblem(drain));
}

function drainedProblem(drain: DrainFacts): string {
  return `The VM is out of its load balancer: a drain rule (ip rule pref ${DRAIN_RULE_PREF}: ${drainRuleSays(drain)}) was left by a rolling restart that did not finish: run provision restart for this VM, or rerun provision.`;
}

/** What a drain rule found on the VM does, in words ('?' where the rule could not be read). */
export function drainRuleSays(drain: DrainFacts): string {
  return `no answer from port ${drain.port ?? '?'} to the probe's address ${drain.probeSource ?? '?'}`;
}
