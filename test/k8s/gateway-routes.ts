import { readFileSync } from 'node:fs';
import { GATEWAY_TEMPLATE } from '../../scripts/gateway/nginx-gateway.js';

/** One `location` of the gateway's template, as far as the Ingress must mirror it. */
export interface GatewayLocation {
  /** `=`, `^~`, `~`, or '' for a plain prefix; named locations (`@…`) are left out. */
  modifier: string;
  path: string;
  /** The upstream block it proxies to (e.g. rushline_api), if it proxies. */
  upstream?: string;
  /** Whether it passes the WebSocket upgrade on. */
  upgrades: boolean;
  /** Its proxy_read_timeout in seconds, if it sets one. */
  readTimeoutS?: number;
}

export interface GatewayRoutes {
  locations: GatewayLocation[];
  /** Upstream block → the template variable naming its server (rushline_api → RUSHLINE_API_UPSTREAM). */
  upstreamVariables: Map<string, string>;
  /** Every ${RUSHLINE_*} the template reads. */
  variables: Set<string>;
}

/** Reads deploy/nginx/rushline.conf.template: the one origin's routes, as the gateway serves them. */
export function readGatewayRoutes(file = GATEWAY_TEMPLATE): GatewayRoutes {
  const text = readFileSync(file, 'utf8');
  const upstreamVariables = new Map<string, string>();
  for (const m of text.matchAll(/upstream\s+(\w+)\s*\{[^}]*?server\s+\$\{(RUSHLINE_[A-Z_]+)\}/g)) {
    upstreamVariables.set(m[1] as string, m[2] as string);
  }
  const locations: GatewayLocation[] = [];
  // Location bodies hold no nested block; a `}` inside a returned JSON string only cuts a body short that
  // proxies nothing (the gateway's own answers), which is all this reads of it.
  for (const m of text.matchAll(/^\s*location\s+(?:(=|\^~|~\*?)\s+)?(\S+)\s*\{([^}]*)/gm)) {
    const [, modifier = '', locationPath = '', body = ''] = m;
    if (locationPath.startsWith('@')) continue;
    const timeout = /proxy_read_timeout\s+(\d+)s?;/.exec(body)?.[1];
    locations.push({
      modifier,
      path: locationPath,
      upstream: /proxy_pass\s+http:\/\/(\w+)\s*;/.exec(body)?.[1],
      upgrades: /proxy_set_header\s+Upgrade\s/.test(body),
      readTimeoutS: timeout === undefined ? undefined : Number(timeout),
    });
  }
  const variables = new Set([...text.matchAll(/\$\{(RUSHLINE_[A-Z_]+)\}/g)].map((m) => m[1] as string));
  return { locations, upstreamVariables, variables };
}
