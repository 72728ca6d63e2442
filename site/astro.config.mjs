// @ts-check
import node from '@astrojs/node';
import { defineConfig } from 'astro/config';

// Server-rendered pages behind the hub's own HTTP server (local) or a Lambda (AWS): the adapter
// runs in middleware mode and exports `handler(req, res, next)`.
export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'middleware' }),
  // Sessions live in a signed-in user's token cookie, not on the server: no session storage.
  session: false,
  // Stylesheets as files, never inline: the Content-Security-Policy allows no inline styles.
  build: { inlineStylesheets: 'never' },
  // Scripts as files too, however small: the policy allows no inline scripts either.
  vite: { build: { assetsInlineLimit: 0 } },
  trailingSlash: 'ignore',
  devToolbar: { enabled: false },
});
