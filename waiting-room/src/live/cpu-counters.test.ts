import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { cgroupCpuTimes, HostIdleMeter, idleShare, type HostCpuTimes } from './cpu-counters.js';

/** A cgroup file tree as the kernel shows it to a container, in a temporary directory. */
function cgroupTree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'rushline-cgroup-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

describe("a container's CPU quota (cgroup v2 and v1)", () => {
  const roots: string[] = [];
  const tree = (files: Record<string, string>) => {
    const root = cgroupTree(files);
    roots.push(root);
    return root;
  };
  after(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  it('v2: a quota of half a core, 0.49 s of it used over one second, leaves 2 % idle', () => {
    const root = tree({
      'cpu.max': '50000 100000\n',
      'cpu.stat': 'usage_usec 1000000\nuser_usec 700000\nsystem_usec 300000\n',
    });
    let wall = 10_000_000;
    const before = cgroupCpuTimes(root, () => wall)!;
    writeFileSync(path.join(root, 'cpu.stat'), 'usage_usec 1490000\nuser_usec 1\nsystem_usec 1\n');
    wall += 1_000_000;
    const after = cgroupCpuTimes(root, () => wall)!;
    expect(idleShare([before], [after])).to.be.closeTo(0.02, 1e-9);
  });

  it('v1: cfs quota and period, usage in ns', () => {
    const root = tree({
      'cpu,cpuacct/cpu.cfs_quota_us': '200000\n',
      'cpu,cpuacct/cpu.cfs_period_us': '100000\n',
      'cpu,cpuacct/cpuacct.usage': '5000000000\n',
    });
    let wall = 0;
    const before = cgroupCpuTimes(root, () => wall)!;
    // Two cores allowed, one second of wall time, 1.5 s used: a quarter left.
    writeFileSync(path.join(root, 'cpu,cpuacct/cpuacct.usage'), '6500000000\n');
    wall += 1_000_000;
    expect(idleShare([before], [cgroupCpuTimes(root, () => wall)!])).to.be.closeTo(0.25, 1e-9);
  });

  it('says nothing without a quota: unlimited, v1 at -1, or no cgroup files at all', () => {
    expect(cgroupCpuTimes(tree({ 'cpu.max': 'max 100000\n', 'cpu.stat': 'usage_usec 5\n' }))).to.equal(null);
    expect(
      cgroupCpuTimes(
        tree({
          'cpu/cpu.cfs_quota_us': '-1\n',
          'cpu/cpu.cfs_period_us': '100000\n',
          'cpuacct/cpuacct.usage': '1\n',
        }),
      ),
    ).to.equal(null);
    expect(cgroupCpuTimes(tree({}))).to.equal(null);
    // A quota whose usage cannot be read is no measure either.
    expect(cgroupCpuTimes(tree({ 'cpu.max': '100000 100000\n' }))).to.equal(null);
  });
});

describe('the host idle meter', () => {
  it('samples at most once per interval, and knows the share only from its second sample', () => {
    let idle = 0;
    let total = 0;
    let samples = 0;
    const counters = (): HostCpuTimes[] => {
      samples++;
      return [{ idle, total }];
    };
    const meter = new HostIdleMeter(counters, 500);
    expect(meter.read(0)).to.deep.equal({ share: null, fresh: true });
    idle += 300;
    total += 1_000;
    expect(meter.read(499), 'too soon: no sample').to.deep.equal({ share: null, fresh: false });
    expect(meter.read(500)).to.deep.equal({ share: 0.3, fresh: true });
    idle += 50;
    total += 1_000;
    expect(meter.read(700), 'the last share until the next sample').to.deep.equal({
      share: 0.3,
      fresh: false,
    });
    expect(meter.read(1_000)).to.deep.equal({ share: 0.05, fresh: true });
    expect(samples).to.equal(3);
  });
});
