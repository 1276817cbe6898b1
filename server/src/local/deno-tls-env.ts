// Deno trusts only its bundled Mozilla roots by default and ignores the variables that point
// other programs at the system's certificates. Behind a TLS-intercepting proxy whose CA is in
// the system store (common in companies and CI), its first download of the functions' npm
// packages then fails with "invalid peer certificate: UnknownIssuer". Every Deno we start gets
// this environment: the system store after Mozilla's, and the certificate variables passed on.

const PASSED_ON = ['DENO_CERT', 'SSL_CERT_FILE', 'SSL_CERT_DIR'] as const;

export function denoTlsEnv(from: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {
    DENO_TLS_CA_STORE: from.DENO_TLS_CA_STORE ?? 'mozilla,system',
  };
  for (const name of PASSED_ON) {
    const value = from[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}
