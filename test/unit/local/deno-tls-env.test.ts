import assert from 'node:assert/strict';
import { denoTlsEnv } from '../../../server/src/local/deno-tls-env.ts';

describe('the TLS environment of every Deno we start', () => {
  it("trusts the system's certificates after Mozilla's unless told otherwise", () => {
    assert.deepEqual(denoTlsEnv({}), { DENO_TLS_CA_STORE: 'mozilla,system' });
    assert.deepEqual(denoTlsEnv({ DENO_TLS_CA_STORE: 'mozilla' }), {
      DENO_TLS_CA_STORE: 'mozilla',
    });
  });

  it('passes on the variables that point at a certificate file or folder, and nothing else', () => {
    const env = denoTlsEnv({
      SSL_CERT_FILE: '/etc/ssl/certs/ca-certificates.crt',
      SSL_CERT_DIR: '/etc/ssl/certs',
      DENO_CERT: '/corp/ca.pem',
      HOME: '/root',
    });
    assert.deepEqual(env, {
      DENO_TLS_CA_STORE: 'mozilla,system',
      SSL_CERT_FILE: '/etc/ssl/certs/ca-certificates.crt',
      SSL_CERT_DIR: '/etc/ssl/certs',
      DENO_CERT: '/corp/ca.pem',
    });
  });
});
