/**
 * TLS files for specs, made at test time with `openssl` in a private
 * temporary folder (test-only: a self-signed certificate for 127.0.0.1 and
 * localhost, valid one day), and a shared secret file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The files, and `remove()` to delete them. */
export interface TlsFiles {
  dir: string;
  cert: string;
  key: string;
  secret: string;
  /** Another secret than `secret`. */
  wrongSecret: string;
  remove(): void;
}

/**
 * Make a certificate, its key and secret files.
 * @param ips - more IP addresses the certificate is for (besides 127.0.0.1).
 * @returns their paths.
 */
export function makeTlsFiles(ips: string[] = []): TlsFiles {
  const dir = mkdtempSync(join(tmpdir(), 'rxp-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      `subjectAltName=${['127.0.0.1', ...ips].map((a) => `IP:${a}`).join(',')},DNS:localhost`,
    ],
    { stdio: 'ignore' },
  );
  const secret = join(dir, 'secret');
  const wrongSecret = join(dir, 'wrong-secret');
  writeFileSync(secret, 'a shared secret for the specs only\n', { mode: 0o600 });
  writeFileSync(wrongSecret, 'not the secret the hub knows at all\n', { mode: 0o600 });
  return {
    dir,
    cert,
    key,
    secret,
    wrongSecret,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
