// Tests of the lab's booted VMs (systemd as PID 1, under systemd-nspawn) and of its Debian 13 image:
// what the tests of `provision`'s systemd unit rely on. Booted VMs are vm41..vm48 (BOOTED_VMS); this file
// uses vm41..vm44 and stops them at the end. Runs as root on Linux; elsewhere each test skips (fails under CI=true).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { DEFAULT_MLFLOW_VERSION } from '../../src/config/mlflow-version.js';
import {
  LAB_KNOWN_HOSTS,
  LAB_STATE,
  defineVm,
  ensureBootedVm,
  ensureLab,
  lab,
  labSsh,
  rebootVm,
  requireLab,
  stopVm,
  vmBootId,
  vmExec,
  vmFileStat,
  vmIp,
  vmKind,
  vmProcesses,
  vmReadFile,
  vmSystemState,
  waitForReboot,
} from './lab.js';

const USED = [41, 42, 43, 44];

after(async () => {
  if (process.getuid?.() !== 0 || !existsSync(`${LAB_STATE}/vms`)) return;
  for (const k of USED) if (existsSync(`${LAB_STATE}/vms/vm${k}`)) await stopVm(k).catch(() => {});
});

async function hostKeys(k: number): Promise<string> {
  return (await vmExec(k, 'cat /etc/ssh/ssh_host_*_key.pub')).stdout;
}

test('a booted VM: systemd is PID 1 and the system reaches running, no failed unit; ssh with strict host keys', async (t) => {
  if (!requireLab(t)) return;
  for (const [k, image] of [
    [41, 'debian12'],
    [42, 'debian13'],
  ] as const) {
    await ensureBootedVm(k, image, { fresh: true });
    assert.deepEqual(vmKind(k), { init: 'systemd', image });
    assert.match((await lab(['status'])).stdout, new RegExp(`^vm${k}\\s+${vmIp(k).replace(/\./g, '\\.')}\\s+running\\s+\\d+\\s+${image}/systemd\\s`, 'm'));
    const pid1 = await vmExec(k, 'cat /proc/1/comm; readlink /proc/1/exe');
    assert.equal(pid1.stdout, 'systemd\n/usr/lib/systemd/systemd\n');
    assert.deepEqual(await vmSystemState(k), { state: 'running', failed: [] });
    const r = await labSsh(k, `hostname; sudo -n systemctl is-system-running; . /etc/os-release; echo $VERSION_ID`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `prov-vm${k}\nrunning\n${image === 'debian12' ? '12' : '13'}\n`);
    const known = readFileSync(LAB_KNOWN_HOSTS, 'utf8');
    const ed = (await vmReadFile(k, '/etc/ssh/ssh_host_ed25519_key.pub')).split(' ').slice(0, 2).join(' ');
    assert.ok(known.includes(`${vmIp(k)} ${ed}`), `known_hosts lacks vm${k}'s key`);
  }
});

test('booted VMs run apt-daily timers and unattended-upgrades (enabled, active, configured)', async (t) => {
  if (!requireLab(t)) return;
  for (const [k, image] of [
    [41, 'debian12'],
    [42, 'debian13'],
  ] as const) {
    await ensureBootedVm(k, image);
    const units = 'apt-daily.timer apt-daily-upgrade.timer unattended-upgrades.service';
    const r = await vmExec(k, `systemctl is-enabled ${units}; systemctl is-active ${units}; apt-config dump APT::Periodic`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^enabled\nenabled\nenabled\nactive\nactive\nactive\n/);
    assert.match(r.stdout, /APT::Periodic::Update-Package-Lists "1";/);
    assert.match(r.stdout, /APT::Periodic::Unattended-Upgrade "1";/);
    // Nothing of the kind masked: only what the lab does from outside (network, DNS, clock) and the gettys.
    const masked = await vmExec(k, "systemctl list-unit-files --state=masked --plain --no-legend | awk '{print $1}'");
    assert.doesNotMatch(masked.stdout, /apt|unattended/);
  }
});

test('sudo reboot over ssh inside vm41: same host keys, disk and address; a nohup process is gone', async (t) => {
  if (!requireLab(t)) return;
  await ensureBootedVm(41, 'debian12');
  const keys = await hostKeys(41);
  const started = await labSsh(41, 'cd ~; echo kept > before-reboot.txt; nohup sleep 4646 </dev/null >/dev/null 2>&1 & echo started');
  assert.equal(started.code, 0, started.stderr);
  assert.ok(
    (await vmProcesses(41)).some((p) => p.cmdline === 'sleep 4646'),
    'the nohup process did not start',
  );
  const boot = await vmBootId(41);

  const t0 = Date.now();
  const reboot = await labSsh(41, 'sudo -n reboot');
  assert.ok([0, 255].includes(reboot.code), `sudo reboot: ${reboot.code} ${reboot.stderr}`); // 255: the connection closed under it
  await waitForReboot(41, boot);
  t.diagnostic(`sudo reboot to sshd again: ${Date.now() - t0} ms`);

  assert.equal(await hostKeys(41), keys);
  const after = await labSsh(41, 'cat before-reboot.txt; hostname -I; pgrep -x sleep || echo no-sleep'); // strict known_hosts
  assert.equal(after.code, 0, after.stderr);
  assert.equal(after.stdout, `kept\n${vmIp(41)} \nno-sleep\n`);
  assert.ok(!(await vmProcesses(41)).some((p) => p.cmdline === 'sleep 4646'), 'a process survived the reboot');
  assert.equal((await vmSystemState(41)).state, 'running');
  assert.match(readFileSync(`${LAB_STATE}/vms/vm41/console.log`, 'utf8'), /prov-vm41: reboot\n/);
});

test('npm run lab -- reboot vm42: a clean reboot from outside, disk and host keys kept', async (t) => {
  if (!requireLab(t)) return;
  await ensureBootedVm(42, 'debian13');
  const keys = await hostKeys(42);
  await vmExec(42, 'echo kept > /home/azureuser/f.txt; nohup sleep 4747 </dev/null >/dev/null 2>&1 &');
  const boot = await vmBootId(42);
  const t0 = Date.now();
  await rebootVm(42);
  t.diagnostic(`lab reboot vm42 until sshd answers: ${Date.now() - t0} ms`);
  assert.notEqual(await vmBootId(42), boot);
  assert.equal(await hostKeys(42), keys);
  assert.equal(await vmReadFile(42, '/home/azureuser/f.txt'), 'kept\n');
  assert.ok(!(await vmProcesses(42)).some((p) => p.cmdline === 'sleep 4747'), 'a process survived the reboot');
  // A clean shutdown: systemd stopped the units (journald saw the previous boot end).
  const r = await labSsh(42, 'sudo -n journalctl --list-boots --no-pager | wc -l; cat f.txt');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n')[1], 'kept');
});

test('a Debian 13 VM: VERSION_ID="13", installs python3 3.13 through the proxy, its pip index has cp313 wheels', async (t) => {
  if (!requireLab(t)) return;
  await ensureLab(1);
  await defineVm(43, { init: 'bash', image: 'debian13' });
  assert.deepEqual(vmKind(43), { init: 'bash', image: 'debian13' });
  assert.equal((await vmReadFile(43, '/etc/os-release')).match(/^VERSION_ID=.*$/m)?.[0], 'VERSION_ID="13"');
  const sources = await vmReadFile(43, '/etc/apt/sources.list.d/debian.sources');
  assert.match(sources, /Suites: trixie trixie-updates/);
  assert.match(sources, /Suites: trixie-security/);
  assert.match(await vmReadFile(43, '/etc/pip.conf'), /index-url = http:\/\/10\.231\.0\.1:3141\/debian13\/simple/);
  assert.notEqual((await vmExec(43, 'command -v python3')).code, 0, 'a bash VM comes without python3');
  const py = await vmExec(
    43,
    'export DEBIAN_FRONTEND=noninteractive; apt-get update -q >/dev/null && ' +
      'apt-get install -y -q --no-install-recommends python3 >/dev/null && python3 --version && ' +
      `python3 -c 'import urllib.request as u; print(u.urlopen("http://10.231.0.1:3141/debian13/simple/psycopg2-binary/").read().decode())'`,
    { timeoutMs: 300_000 },
  );
  assert.equal(py.code, 0, py.stderr);
  assert.match(py.stdout, /^Python 3\.13\.\d+\n/);
  assert.match(py.stdout, /psycopg2_binary-[0-9.]+-cp313-cp313-[^"#]*manylinux[^"#]*\.whl#sha256=/);
  const mlflow = await vmExec(
    43,
    `python3 -c 'import urllib.request as u; print(u.urlopen("http://10.231.0.1:3141/debian13/simple/mlflow/").read().decode())'`,
  );
  assert.match(mlflow.stdout, new RegExp(`mlflow-${DEFAULT_MLFLOW_VERSION.replace(/\./g, '\\.')}-py3-none-any\\.whl`));
  await stopVm(43);
});

test('stop leaves nothing of a booted VM (process, cgroup, mount, namespace); start boots the same disk', async (t) => {
  if (!requireLab(t)) return;
  await ensureBootedVm(44, 'debian12');
  await vmExec(44, 'echo kept > /root/marker');
  await stopVm(44);
  assert.match((await lab(['status'])).stdout, /^vm44\s+\S+\s+stopped/m);
  assert.doesNotMatch(readFileSync('/proc/mounts', 'utf8'), /\/vms\/vm44\/|prov-vm44/);
  assert.ok(!existsSync('/run/netns/prov-vm44'), 'the namespace is left');
  for (const h of ['systemd', 'unified']) assert.ok(!existsSync(`/sys/fs/cgroup/${h}/prov-lab/vm44`), `the ${h} cgroup is left`);
  const strays = (await lab(['exec', 'vm44', '--', 'true']).catch((e: Error) => e)) as Error;
  assert.match(String(strays.message), /vm44 is not running/);
  const t0 = Date.now();
  await ensureBootedVm(44, 'debian12');
  t.diagnostic(`start of a stopped booted VM until sshd answers: ${Date.now() - t0} ms`);
  assert.equal(await vmReadFile(44, '/root/marker'), 'kept\n');
  assert.equal(await vmFileStat(44, '/run/prov-init'), null);
  await stopVm(44);
});
