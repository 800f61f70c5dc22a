import { readFileSync } from 'node:fs';
import net from 'node:net';

/** Where ports are chosen when the kernel's ephemeral range leaves room below it. */
const LOWEST_PORT = 10_000;
/** Ports handed out lately, not handed out again: their apps may not listen yet. */
const recentlyHandedOut: number[] = [];
const REMEMBERED = 1000;

/**
 * A free port on 127.0.0.1 for an app that listens on it only once it has booted, seconds later.
 *
 * Chosen below the kernel's ephemeral range, not from it: in the meantime the kernel may hand a port
 * of that range to any other socket of the machine (a `listen(0)`, an outgoing connection), and the
 * app would exit with EADDRINUSE before it came up, failing the deploy. A busy CI runner opens
 * sockets by the thousand. Where the range leaves no room below it, the kernel chooses.
 */
export async function findFreePort(): Promise<number> {
  const room = lowestEphemeralPort() - LOWEST_PORT;
  if (room >= 1000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = LOWEST_PORT + Math.floor(Math.random() * room);
      if (recentlyHandedOut.includes(port) || !(await canListen(port))) continue;
      recentlyHandedOut.push(port);
      if (recentlyHandedOut.length > REMEMBERED) recentlyHandedOut.shift();
      return port;
    }
  }
  return listenAndRelease(0);
}

/** The start of Linux's `ip_local_port_range`; elsewhere the lowest of the usual ones (Linux's). */
function lowestEphemeralPort(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/);
    if (Number.isInteger(Number(low))) return Number(low);
  } catch {
    // not Linux
  }
  return 32768;
}

async function canListen(port: number): Promise<boolean> {
  try {
    await listenAndRelease(port);
    return true;
  } catch {
    return false;
  }
}

/** Listens on 127.0.0.1:port (0: the kernel's choice) and closes at once; the port it got. */
function listenAndRelease(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port was assigned'));
      });
    });
  });
}

/** True when something accepts a TCP connection on 127.0.0.1:port. */
export function acceptsConnections(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const finish = (accepted: boolean) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
