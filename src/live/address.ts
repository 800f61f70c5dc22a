/** Where `--serve` listens: 127.0.0.1 unless a host is named. */
export interface ServeAddress {
  host: string;
  port: number;
}

/** `[HOST:]PORT`, an IPv6 host in brackets (`[::1]:8080`); undefined when it is not one. */
export function parseServeAddress(text: string): ServeAddress | undefined {
  const match = /^(?:(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):)?(\d{1,5})$/.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65_535) return undefined;
  return { host: match[1] ?? match[2] ?? '127.0.0.1', port };
}
