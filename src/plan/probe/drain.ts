import { DRAIN_RULE_PREF } from '../drain.js';
import type { FactPart } from './types.js';

/**
 * A drain a rolling restart left on the VM (plan/drain.ts): the policy-routing rule at provision's preference,
 * as `ip rule` prints it (`32100: from all to 168.63.129.16 ipproto tcp sport 5000 prohibit`). Any rule at
 * that preference counts (the drain's rejoin removes them all); the address and port are read only when they
 * are an IPv4 address and a number. Reading rules needs no root.
 */
export const drainPart: FactPart = {
  name: 'drain',
  script: () => `ip rule show pref ${DRAIN_RULE_PREF} 2>/dev/null | sed 's/^/drain_rule=/'`,
  keys: {
    drain_rule: (f, v) => {
      const to = /\bto (\d{1,3}(?:\.\d{1,3}){3})(?:\/32)?\b/.exec(v)?.[1];
      const port = /\bsport (\d{1,5})\b/.exec(v)?.[1];
      f.drain ??= {};
      if (to) f.drain.probeSource = to;
      if (port) f.drain.port = Number(port);
    },
  },
};
