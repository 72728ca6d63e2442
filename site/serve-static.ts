import type { IncomingMessage, ServerResponse } from 'node:http';
import sirv from 'sirv';

export type NodeHandler = (request: IncomingMessage, response: ServerResponse, next: () => void) => void;

/**
 * The Node adapter in `middleware` mode renders pages only: the build's static files
 * (`site/dist/client`: `/_astro/*` stylesheets, `/favicon.svg`) need a server of their own. In AWS
 * that is S3 behind CloudFront; locally, `sirv` answers for existing files first and hands everything
 * else to the site. Hashed `/_astro/` files never change, so they are cached for a year.
 */
export function withStaticAssets(site: NodeHandler, clientDir: string): NodeHandler {
  const assets = sirv(clientDir, {
    etag: true,
    dotfiles: false,
    // The build's .br and .gz copies (astro.config.mjs), for browsers that accept them.
    brotli: true,
    gzip: true,
    setHeaders: (response, pathname) => {
      response.setHeader(
        'cache-control',
        pathname.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
      );
    },
  });
  return (request, response, next) => assets(request, response, () => site(request, response, next));
}
