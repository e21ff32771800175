/**
 * The app talks only to its own origin (HTTP, and WebSocket: 'self' covers ws: and wss: of the same host in
 * current browsers), loads its scripts and styles as files from its own build (no inline scripts or style
 * elements; React sets styles through the DOM, which style-src does not restrict), shows images from itself
 * and data: URLs, and is never framed. nginx (nginx/nginx.conf) sends the same; packages/deploy checks that.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "script-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every answer of the frontend (the app, its files, /health and /graphql passed through). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  // For browsers without CSP frame-ancestors.
  'x-frame-options': 'DENY',
};
