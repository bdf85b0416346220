import { isIP } from 'node:net';

/** The names Express's `trust proxy` accepts for address ranges. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** `a.b.c.d`, `a.b.c.d/24`, `a.b.c.d/255.255.255.0`, an IPv6 address or subnet. */
function isAddressOrSubnet(item: string): boolean {
  const [address, prefix, ...rest] = item.split('/');
  const family = isIP(address);
  if (!family || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (/^\d+$/.test(prefix)) return Number(prefix) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(prefix) === 4;
}

/**
 * True for what Express's `trust proxy` takes from TRUST_PROXY: true, false, a hop count, or a
 * comma-separated list of addresses, subnets and the names loopback, linklocal, uniquelocal.
 * Anything else would pass start-up and then crash Express with a message that names no variable.
 */
export function isTrustProxy(value: string): boolean {
  if (/^(true|false|\d+)$/.test(value)) return true;
  const items = value.split(',').map((item) => item.trim());
  return items.every((item) => RANGE_NAMES.has(item) || isAddressOrSubnet(item));
}
