import type http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';

export interface Certificate {
  /** PEM: the certificate, which is also its own CA. */
  cert: string;
  key: string;
}

/** A self-signed certificate for 127.0.0.1 and `staging.test`, as a staging server would have. */
export async function selfSignedCertificate(): Promise<Certificate> {
  const pems = await generate([{ name: 'commonName', value: 'staging.test' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'staging.test' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

export interface TlsServer {
  origin: string;
  /** The HTTP version of every request the server answered ("1.1", "2.0"). */
  versions: string[];
  close(): Promise<void>;
}

/**
 * An https server on 127.0.0.1; with `http2`, an HTTP/2 server that also speaks HTTP/1.1 (ALPN),
 * or only HTTP/2 with `http2: 'only'`.
 */
export async function startTlsServer(
  certificate: Certificate,
  handler: (
    req: http.IncomingMessage | http2.Http2ServerRequest,
    res: http.ServerResponse | http2.Http2ServerResponse,
  ) => void,
  options: { http2?: boolean | 'only' } = {},
): Promise<TlsServer> {
  const versions: string[] = [];
  const listener = (
    req: http.IncomingMessage | http2.Http2ServerRequest,
    res: http.ServerResponse | http2.Http2ServerResponse,
  ) => {
    versions.push(req.httpVersion);
    handler(req, res);
  };
  const server = options.http2
    ? http2.createSecureServer({ ...certificate, allowHTTP1: options.http2 !== 'only' }, listener)
    : https.createServer(certificate, listener);
  const sockets = new Set<{ destroy(): void }>();
  server.on('secureConnection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // Handshakes the client refuses (an untrusted certificate) are the test's point, not an error.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    versions,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
