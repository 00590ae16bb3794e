import "server-only";

// Next.js inlines `process.env.NEXT_PUBLIC_*` into the bundle at build time. One
// build serves several businesses (one `next start` per business), so the slug must
// be read when a request arrives. Reading through a computed name keeps the bundler
// from replacing it with the value it saw during `next build`.
function readEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

export class ConfigError extends Error {}

/** The business this frontend serves. The browser never chooses it. */
export function tenantSlug(): string {
  const slug = readEnv("NEXT_PUBLIC_TENANT_SLUG");
  if (!slug) throw new ConfigError("NEXT_PUBLIC_TENANT_SLUG is not set");
  return slug;
}

/** The API's origin, without a trailing slash, e.g. https://api.example.com. */
export function backendUrl(): string {
  const url = readEnv("BACKEND_URL");
  if (!url) throw new ConfigError("BACKEND_URL is not set");
  return url.replace(/\/+$/, "");
}
