import { expect } from 'chai';
import { isPrivateAddress } from './metrics-route.js';

describe('who may read /metrics: private and loopback addresses', () => {
  it('accepts loopback, private ranges and their IPv4-mapped forms', () => {
    for (const a of [
      '127.0.0.1',
      '::1',
      '::ffff:127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.254',
      '192.168.1.9',
      'fd00::1',
      'fe80::1',
    ])
      expect(isPrivateAddress(a), a).to.equal(true);
  });

  it('refuses public addresses, the ranges next to the private ones, and a missing address', () => {
    for (const a of [
      '203.0.113.9',
      '172.15.0.1',
      '172.32.0.1',
      '192.169.0.1',
      '11.0.0.1',
      '2001:db8::1',
      '::ffff:8.8.8.8',
      undefined,
    ])
      expect(isPrivateAddress(a), String(a)).to.equal(false);
  });
});
