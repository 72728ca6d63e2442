// @ts-check
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import node from '@astrojs/node';
import { defineConfig, passthroughImageService } from 'astro/config';

/**
 * Brotli and gzip copies of the built stylesheets, scripts and SVGs, once at build time, which the
 * local static-file server (serve-static.ts) sends to browsers that accept them. CloudFront
 * compresses in AWS.
 *
 * @type {import('astro').AstroIntegration}
 */
const precompress = {
  name: 'plein:precompress',
  hooks: {
    'astro:build:done': ({ dir }) => {
      const client = fileURLToPath(dir);
      for (const entry of readdirSync(client, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !/\.(css|js|mjs|svg)$/.test(entry.name)) continue;
        const file = join(entry.parentPath, entry.name);
        const content = readFileSync(file);
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
        writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
      }
    },
  },
};

// Server-rendered pages behind the hub's own HTTP server (local) or a Lambda (AWS): the adapter
// runs in middleware mode and exports `handler(req, res, next)`.
export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'middleware' }),
  integrations: [precompress],
  // The site shows no raster images to transform: no image service (sharp) in the page function.
  image: { service: passthroughImageService() },
  // Sessions live in a signed-in user's token cookie, not on the server: no session storage.
  session: false,
  // Stylesheets as files, never inline: the Content-Security-Policy allows no inline styles.
  build: { inlineStylesheets: 'never' },
  // Scripts as files too, however small: the policy allows no inline scripts either.
  vite: { build: { assetsInlineLimit: 0 } },
  trailingSlash: 'ignore',
  devToolbar: { enabled: false },
});
