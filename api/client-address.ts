/**
 * Koa's options for finding the client address behind `hops` proxies that each append the address they saw to
 * X-Forwarded-For. Read right to left, the chain is: our socket's peer (the last proxy), then what each proxy
 * appended; the client is the entry `hops` places from the right of the header, and everything left of it is
 * whatever the client chose to send. Koa keeps the last `maxIpsCount` entries and takes the first of those,
 * which is exactly that entry (the left-most, spoofable one when the option is 0).
 *
 * With hops = 0 nothing is trusted: `ctx.ip` is the socket's peer, X-Forwarded-* are ignored.
 */
export function proxyTrust(hops: number): { proxy: boolean; maxIpsCount: number } {
  return { proxy: hops > 0, maxIpsCount: hops };
}
