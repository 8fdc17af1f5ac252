import { generate } from 'selfsigned';

export interface ServerCertificate {
  /** PEM certificate: clients trust it as their only CA (`tlsOptions.ca`). */
  cert: string;
  /** PEM private key. */
  key: string;
}

/**
 * A fresh self-signed certificate for 127.0.0.1 and localhost, made per server so that no key
 * is ever checked in. EC P-256 keeps generation in the milliseconds.
 */
export async function makeServerCertificate(): Promise<ServerCertificate> {
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
