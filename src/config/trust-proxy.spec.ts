import { isTrustProxy } from './trust-proxy';

describe('TRUST_PROXY values', () => {
  it.each(['true', 'false', '2', 'loopback', '10.0.0.0/8, 172.16.0.0/12,uniquelocal', '192.168.0.0/255.255.0.0', '::1', 'fd00::/8', '203.0.113.7'])('accepts %s', (value) => {
    expect(isTrustProxy(value)).toBe(true);
  });

  it.each(['yes', '10.0.0.0/33', 'fd00::/129', '10.0.0.1/8/8', 'proxy.example.com', '10.0.0.0/255.0.0.0.0', '', 'loopback,,'])('refuses %s', (value) => {
    expect(isTrustProxy(value)).toBe(false);
  });
});
