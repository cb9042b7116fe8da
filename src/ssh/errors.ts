import type { HostTarget } from '../config/config.js';

/** One sentence a user can act on, for the ways an SSH connection fails before any step runs. */
export function describeConnectError(err: NodeJS.ErrnoException & { level?: string }, target: HostTarget, timeoutMs: number): string {
  const where = `${target.address}:${target.port}`;
  if (err.level === 'client-authentication') {
    return `The VM refused SSH login as "${target.user}": check --user (Azure's default is azureuser) and --identity-file, or load your key into ssh-agent.`;
  }
  switch (err.code) {
    case 'ECONNREFUSED':
      return `Nothing accepts SSH connections on ${where} (connection refused): check the VM is running and --ssh-port.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `The host name "${target.address}" does not resolve: check --host.`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${where} is unreachable from this machine: check the address and your network or VPN.`;
    case 'ECONNRESET':
      return `${where} closed the connection during the SSH handshake: check it is an SSH server and that it accepts your IP.`;
    default:
      break;
  }
  if (err.level === 'client-timeout' || /timed out/i.test(err.message)) {
    return `No SSH answer from ${where} within ${Math.round(timeoutMs / 1000)} s: check the VM is running and that its network security group allows SSH from your IP.`;
  }
  return `SSH connection to ${where} failed: ${err.message}.`;
}
