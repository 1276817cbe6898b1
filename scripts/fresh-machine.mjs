// Runs `npm start` or the CI command in a brand-new Debian 12 root (debootstrap + chroot) that
// holds only what a new machine has: Node.js 20 with npm, python3, make and g++. An install step
// our scripts forgot shows up here, where a machine that already has the tools would hide it.
//
//   node scripts/fresh-machine.mjs start   # times `npm start` to its URL, then Ctrl-C
//   node scripts/fresh-machine.mjs test    # runs `CI=true bash .ci/run`
//   options: --dir DIR (default /tmp/brightrun-fresh-machine), --keep (leave the root there)
//
// Root only (debootstrap, chroot, mounts); it uses this machine's apt mirror, npm settings and
// CA certificates, so it also works behind a TLS-intercepting proxy. Plain Node, no dependencies.
import { execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const mode = args.find((a) => a === 'start' || a === 'test');
const dirFlag = args.indexOf('--dir');
const root = dirFlag >= 0 ? args[dirFlag + 1] : '/tmp/brightrun-fresh-machine';
const keep = args.includes('--keep');
if (!mode || !root) {
  console.error('usage: node scripts/fresh-machine.mjs start|test [--dir DIR] [--keep]');
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  console.error('fresh-machine: run as root (debootstrap, chroot and mounts need it)');
  process.exit(2);
}

const run = (cmd, argv, options = {}) => execFileSync(cmd, argv, { stdio: 'inherit', ...options });
const say = (text) => console.log(`fresh-machine: ${text}`);

/** The Debian mirror this machine's apt uses. */
function mirror() {
  const sources = '/etc/apt/sources.list.d/debian.sources';
  const uri = existsSync(sources) && /^URIs:\s*(\S+)/m.exec(readFileSync(sources, 'utf8'));
  return uri ? uri[1] : 'http://deb.debian.org/debian';
}

function unmount() {
  for (const sub of ['dev', 'sys', 'proc']) {
    const target = join(root, sub);
    try {
      execFileSync('umount', ['-R', target], { stdio: 'ignore' });
    } catch {
      // not mounted
    }
  }
}

/** Copies a file or folder of this machine to the same place in the root. */
function copyIn(path) {
  if (!existsSync(path)) return;
  mkdirSync(dirname(join(root, path)), { recursive: true });
  cpSync(path, join(root, path), { recursive: true, verbatimSymlinks: true });
}

function buildRoot() {
  unmount();
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  if (!existsSync('/usr/sbin/debootstrap')) {
    run('apt-get', ['install', '-y', '-q', 'debootstrap'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
  say(`debootstrap bookworm into ${root}`);
  const include = 'ca-certificates,python3,make,g++,procps';
  run('debootstrap', ['--variant=minbase', `--include=${include}`, 'bookworm', root, mirror()], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // Node.js 20 as this machine has it: its package's files (binary, headers for node-gyp) and
  // the npm it runs now (npm is upgraded after the package is installed).
  const files = execFileSync('dpkg', ['-L', 'nodejs'], { encoding: 'utf8' })
    .split('\n')
    .filter((f) => f.startsWith('/usr/') && !f.startsWith('/usr/lib/node_modules/npm/'));
  // dpkg lists folders too; copying only files and links keeps the root's own folders.
  for (const file of files) {
    if (existsSync(file) && !lstatSync(file).isDirectory()) copyIn(file);
  }
  rmSync(join(root, 'usr/lib/node_modules/npm'), { recursive: true, force: true });
  copyIn('/usr/lib/node_modules/npm');
  // This machine's network settings: CA certificates, npm and apt configuration, DNS.
  for (const path of [
    '/usr/local/share/ca-certificates',
    '/etc/npmrc',
    '/usr/etc/npmrc',
    '/root/.npmrc',
    '/etc/apt/apt.conf.d',
    '/etc/apt/sources.list.d/debian.sources',
    '/etc/resolv.conf',
    '/etc/hosts',
  ]) {
    copyIn(path);
  }
  rmSync(join(root, 'etc/apt/sources.list'), { force: true });
  run('chroot', [root, 'update-ca-certificates'], { stdio: 'ignore' });
  for (const [type, source, target] of [
    ['proc', 'proc', 'proc'],
    ['rbind', '/sys', 'sys'],
    ['rbind', '/dev', 'dev'],
  ]) {
    mkdirSync(join(root, target), { recursive: true });
    if (type === 'proc') run('mount', ['-t', 'proc', 'proc', join(root, target)]);
    else run('mount', ['--rbind', source, join(root, target)]);
  }
  say('cloning this checkout (HEAD) into /repo');
  run('git', ['clone', '-q', repo, join(root, 'repo')]);
  // The specs beside the repository, as in CI.
  const shared = join(repo, '..', 'shared');
  if (existsSync(shared)) cpSync(shared, join(root, 'shared'), { recursive: true });
}

/** Processes whose root is the fresh one (left running = a bug of ours). */
function processesInRoot() {
  const left = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readlinkSync(`/proc/${pid}/root`) === root) left.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return left;
}

function runInRoot(command, onLine) {
  const started = Date.now();
  const child = spawn('chroot', [root, '/bin/bash', '-c', `cd /repo && ${command}`], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // What a login on a new machine has, nothing of this session's.
    env: {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: '/root',
      LANG: 'C.UTF-8',
      ...(mode === 'test' ? { CI: 'true' } : {}),
    },
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
      console.log(`${seconds} ${line}`);
      onLine(line, (Date.now() - started) / 1000, child);
    });
  }
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
}

let status = 1;
try {
  buildRoot();
  if (mode === 'start') {
    let readyAfter;
    const result = await runInRoot('exec npm start', (line, seconds, child) => {
      if (readyAfter === undefined && /BrightRun is ready/.test(line)) {
        readyAfter = seconds;
        say(`the URL was printed ${seconds.toFixed(1)} s after \`npm start\`; pressing Ctrl-C`);
        process.kill(-child.pid, 'SIGINT');
      }
    });
    const left = processesInRoot();
    say(
      `npm start ended (${result.signal ?? `exit ${result.code}`}); processes left: ${left.length}`,
    );
    if (readyAfter !== undefined && left.length === 0) status = 0;
  } else {
    const result = await runInRoot('bash .ci/run', () => {});
    status = result.code ?? 1;
  }
} finally {
  if (!keep) {
    unmount();
    rmSync(root, { recursive: true, force: true });
  }
}
process.exit(status);
