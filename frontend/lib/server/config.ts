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

/**
 * The backend's team-chat socket, e.g. wss://api.example.com/ws/comms/, from
 * NEXT_PUBLIC_WS_URL (the origin alone, or the full socket URL), or null when it is
 * not set: the chat then works by REST only. Browsers open it directly (the hosting
 * platform's functions cannot carry a WebSocket), so it must name the same host as
 * BACKEND_URL: the backend binds each ticket to the host it was issued on.
 */
export function socketUrl(): string | null {
  const raw = readEnv("NEXT_PUBLIC_WS_URL");
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError("NEXT_PUBLIC_WS_URL is not a URL");
  }
  if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    throw new ConfigError("NEXT_PUBLIC_WS_URL must start with ws:// or wss://");
  }
  if (url.search || url.hash) throw new ConfigError("NEXT_PUBLIC_WS_URL takes no query or fragment");
  const path = url.pathname.replace(/\/+$/, "");
  url.pathname = path.endsWith("/ws/comms") ? `${path}/` : `${path}/ws/comms/`;
  return url.toString();
}
