/**
 * The settings of a TLS hub, checked without loading `node:tls`: an
 * arbiter checks them when it is made, and loads its TLS side when it starts.
 * @module
 */
import { readFileSync } from 'node:fs';
import { ImproperlyConfiguredError } from '../errors.js';

/** Settings of the TLS listener (`--hub`, `--hub-cert`…). */
export interface TlsHubOptions {
  /** `tls://HOST:PORT` (port 0: any free port). */
  hub: string;
  /** PEM certificate file of the hub. */
  hubCert?: string | null;
  /** PEM key file of the hub. */
  hubKey?: string | null;
  /** PEM CA file: when given, peers must show a certificate it signed (mutual TLS). */
  hubCa?: string | null;
  /** File holding the shared secret (at least 16 bytes). */
  hubSecretFile?: string | null;
}

/**
 * Why these settings cannot make a TLS hub, or `undefined`.
 *
 * @param options - the settings.
 * @returns the problem.
 * @example
 * ```ts
 * tlsHubProblem({ hub: 'tcp://0.0.0.0:7070' }); // 'must be tls://HOST:PORT ...'
 * ```
 */
export function tlsHubProblem(options: TlsHubOptions): string | undefined {
  if (!options.hub.startsWith('tls://')) {
    return 'must be tls://HOST:PORT: the hub never listens on TCP without TLS';
  }
  try {
    parseTlsUrl(options.hub);
  } catch (err) {
    return (err as Error).message;
  }
  if (!options.hubCert || !options.hubKey) return 'needs --hub-cert and --hub-key';
  if (!options.hubSecretFile) return 'needs --hub-secret-file (a peer must prove the secret)';
  return undefined;
}

/**
 * Host and port of a `tls://HOST:PORT` address.
 *
 * @param url - the address.
 * @returns its host and port.
 * @throws ImproperlyConfiguredError when it is not one.
 * @example
 * ```ts
 * parseTlsUrl('tls://10.0.0.1:7070'); // { host: '10.0.0.1', port: 7070 }
 * ```
 */
export function parseTlsUrl(url: string): { host: string; port: number } {
  const match = /^tls:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(url);
  const port = match === null ? NaN : Number(match[2]);
  if (match === null || !(port >= 0 && port < 65536)) {
    throw new ImproperlyConfiguredError(
      `a hub address is tls://HOST:PORT, not ${JSON.stringify(url)}`,
    );
  }
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

/**
 * Read a shared secret file: its content, surrounding blanks trimmed.
 *
 * @param file - the path.
 * @returns the secret.
 * @throws ImproperlyConfiguredError when it cannot be read or is shorter than 16 bytes.
 * @example
 * ```ts
 * const secret = readSecret('/etc/rxpulsar/secret');
 * ```
 */
export function readSecret(file: string): Buffer {
  let secret: Buffer;
  try {
    secret = Buffer.from(readFileSync(file, 'utf8').trim());
  } catch (err) {
    throw new ImproperlyConfiguredError(`cannot read the hub secret file ${file}: ${String(err)}`);
  }
  if (secret.length < 16) {
    throw new ImproperlyConfiguredError(`the hub secret in ${file} is shorter than 16 bytes`);
  }
  return secret;
}

/**
 * Check a TLS hub's settings and read its secret, as the arbiter does when
 * it is made and the TLS listener when it is.
 *
 * @param options - the settings.
 * @returns the shared secret.
 * @throws ImproperlyConfiguredError naming the hub and its problem.
 * @example
 * ```ts
 * const secret = checkTlsHub({ hub: 'tls://0.0.0.0:7070', hubCert, hubKey, hubSecretFile });
 * ```
 */
export function checkTlsHub(options: TlsHubOptions): Buffer {
  const problem = tlsHubProblem(options);
  if (problem !== undefined) throw new ImproperlyConfiguredError(`hub ${options.hub}: ${problem}`);
  return readSecret(options.hubSecretFile!);
}
