import { defineConfig } from 'vite';

// esbuild compiles the TSX (automatic runtime), so no React plugin is needed. In `vite` dev mode /graphql
// is proxied to a running endpoint (HTTP and WebSocket), the same shape as the local server gives. The Host
// header stays the browser's, so the endpoint sees the app's own origin (it refuses foreign ones).
const graphqlTarget = process.env.GRAPHQL_URL ?? 'http://127.0.0.1:8888';

export default defineConfig({
  esbuild: { jsx: 'automatic' },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  server: {
    port: 5173,
    proxy: { '/graphql': { target: graphqlTarget, ws: true, changeOrigin: false } },
  },
});
