// A webhook receiver on 127.0.0.1 (an ephemeral port) that records what it is sent. `mode` decides
// how it answers: 'up' 204, 'error' 500, 'down' drops the connection without an answer.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  idempotencyKey: string | undefined;
  contentType: string | undefined;
  body: string;
  json: Record<string, unknown> | null;
  headers: IncomingMessage['headers'];
  path: string;
}

export type ReceiverMode = 'up' | 'error' | 'down';

export interface Receiver {
  url: string;
  received: Received[];
  /** The requests it answered 2xx. */
  answered: Received[];
  mode: ReceiverMode;
  /** Called with each request before it is answered; may answer itself by returning true. */
  onRequest: ((r: Received, res: ServerResponse) => boolean | undefined) | null;
  /** Distinct idempotency keys of the answered (2xx) requests. */
  deliveredKeys(): Set<string>;
  close(): Promise<void>;
}

export async function startReceiver(path = '/hook/s3cr3t-token-xyz'): Promise<Receiver> {
  const answered: Received[] = [];
  const receiver: Receiver = {
    url: '',
    received: [],
    answered,
    mode: 'up',
    onRequest: null,
    deliveredKeys: () => new Set(answered.map((r) => r.idempotencyKey ?? '')),
    close: () =>
      new Promise<void>((res) => {
        server.close(() => res());
        server.closeAllConnections();
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: Record<string, unknown> | null = null;
      try {
        const v: unknown = JSON.parse(body);
        if (typeof v === 'object' && v !== null) json = v as Record<string, unknown>;
      } catch {
        json = null;
      }
      const r: Received = { idempotencyKey: req.headers['idempotency-key'] as string | undefined, contentType: req.headers['content-type'], body, json, headers: req.headers, path: req.url ?? '' };
      receiver.received.push(r);
      if (receiver.onRequest?.(r, res) === true) return;
      if (receiver.mode === 'down') {
        req.socket.destroy();
        return;
      }
      if (receiver.mode === 'error') {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('receiver error');
        return;
      }
      answered.push(r);
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  return receiver;
}
