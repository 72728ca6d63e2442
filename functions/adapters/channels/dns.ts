import { lookup } from 'node:dns';
import type { Resolver } from '#shared/domain/ssrf.ts';

/** Every address of a host name, from the system resolver, as the connection itself would look it up. */
export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    lookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses.map((address) => address.address)),
    ),
  );
