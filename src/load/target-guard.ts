/**
 * The safety rule for local load: traffic goes to loopback only, unless the user says
 * otherwise (`allowRemoteTarget` / --allow-remote-target).
 */
import { invalidInput } from '../contract/errors.js';

/** True for localhost, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** Parses and checks a target base URL; throws INVALID_INPUT for bad or non-loopback URLs. */
export function checkTarget(target: string, allowRemote: boolean): URL {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw invalidInput(`--target: expected an http:// URL like http://127.0.0.1:8080, got ${JSON.stringify(target)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidInput(`--target: expected an http:// or https:// URL, got ${JSON.stringify(target)}`);
  }
  if (!allowRemote && !isLoopbackHost(url.hostname)) {
    throw invalidInput(
      `--target: refusing to send load to non-loopback host '${url.hostname}'`,
      [],
      'load goes to loopback only unless you pass --allow-remote-target (or set safety.allowRemoteTarget in the scenario)',
    );
  }
  return url;
}
