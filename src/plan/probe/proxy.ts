import { CADDY_UNIT, CADDYFILE, CADDYFILE_MARKER, PROXY_DIR, PROXY_FILES } from '../../render/caddyfile.js';
import type { FactPart } from './types.js';

const KNOWN_FILES = Object.values(PROXY_FILES)
  .map((f) => f.name)
  .join(' ');

/**
 * The --tls proxy as the VM has it: whether Caddy is installed, its unit's state, the Caddyfile's hash and
 * whether we wrote it, hash, mode and owner of our files beside it, and uploads an interrupted run left in the home. Those are read as root, in one sudo
 * call, only when our folder exists (the key is Caddy's alone).
 */
export const proxyPart: FactPart = {
  name: 'proxy',
  script: () => `
command -v caddy >/dev/null 2>&1 && echo proxy_installed=1
for f in "$HOME"/.provision-caddy-*; do { [ -f "$f" ] || [ -L "$f" ]; } && printf 'proxy_upload=%s\\n' "$f"; done
if [ -f ${CADDYFILE} ]; then
  echo "proxy_caddyfile=$(sha256sum < ${CADDYFILE} | cut -d' ' -f1)"
  head -n 1 ${CADDYFILE} | grep -q '^${CADDYFILE_MARKER}' && echo proxy_ours=1
fi
[ -d /run/systemd/system ] && command -v caddy >/dev/null 2>&1 && systemctl show ${CADDY_UNIT} -p ActiveState -p UnitFileState 2>/dev/null | sed 's/^/proxy_/'
if [ -d ${PROXY_DIR} ]; then
  echo proxy_dir=1
  sudo -n sh -c 'cd ${PROXY_DIR} && for f in ${KNOWN_FILES}; do [ -f "$f" ] && echo "proxy_file=$f $(sha256sum < "$f" | cut -d" " -f1) $(stat -c "%a %U" "$f")"; done' 2>/dev/null
fi
`,
  keys: {
    proxy_installed: (f) => {
      f.proxy.installed = true;
    },
    proxy_caddyfile: (f, v) => {
      f.proxy.caddyfileSha256 = v;
    },
    proxy_ours: (f) => {
      f.proxy.ours = true;
    },
    proxy_ActiveState: (f, v) => {
      f.proxy.active = v;
    },
    proxy_UnitFileState: (f, v) => {
      f.proxy.enabled = v === 'enabled';
    },
    proxy_upload: (f, _v, raw) => {
      // Text from the VM: only a name of ours, directly in a folder.
      if (/^\/.*\/\.provision-caddy-[^/]+$/.test(raw)) (f.proxy.uploads ??= []).push(raw);
    },
    proxy_dir: (f) => {
      f.proxy.dir = true;
    },
    proxy_file: (f, v) => {
      const [name, sha256, mode, owner] = v.split(' ');
      if (name && sha256 && mode && owner) f.proxy.files[name] = { sha256, mode: parseInt(mode, 8), owner };
    },
  },
};
