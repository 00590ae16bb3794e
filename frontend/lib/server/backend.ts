import "server-only";

import { backendUrl, tenantSlug } from "./config";
import type { Tokens } from "./session";

// Only these of the browser's headers reach the backend. Everything that could name a
// business or a user (X-Tenant-Slug, Host, X-Forwarded-Host, Authorization, Cookie)
// is set here from this frontend's own configuration and cookies, never passed on.
// X-Forwarded-For, as this server received it (the hosting platform's edge writes the
// visitor's address into it), tells the backend who the client is for its rate limits
// and audit log; the backend believes it only from addresses in its TRUSTED_PROXIES
// and reads it from the right, so entries a visitor adds on the left change nothing.
const FORWARDED_REQUEST_HEADERS = ["content-type", "accept", "accept-language", "x-forwarded-for"] as const;

// The id that ties this request's log lines here, in the backend and in its jobs together:
// the browser's own when it has the form the backend accepts from a trusted proxy
// (letters, digits, ".", "_", "-"; 8 to 64), else a new one. It only correlates lines;
// it grants nothing.
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{7,63}$/;

export function requestId(incoming: Headers | null): string {
  const sent = incoming?.get("x-request-id");
  return sent && REQUEST_ID.test(sent) ? sent : crypto.randomUUID().replace(/-/g, "");
}

export function backendHeaders(incoming: Headers | null, access?: string): Headers {
  const headers = new Headers();
  if (incoming) {
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = incoming.get(name);
      if (value !== null) headers.set(name, value);
    }
  }
  headers.set("X-Request-ID", requestId(incoming));
  headers.set("X-Tenant-Slug", tenantSlug());
  if (access) headers.set("Authorization", `Bearer ${access}`);
  return headers;
}

export function backendApiUrl(path: string, search = ""): string {
  return `${backendUrl()}/api/${path}${search}`;
}

/**
 * fetch() to the backend, never cached. A kept-alive connection that the server closed
 * at the same moment fails before any answer; a read then goes once more, a write is
 * not repeated behind the user's back.
 */
export async function backendFetch(url: string, init: RequestInit): Promise<Response> {
  const send = () => fetch(url, { ...init, cache: "no-store" });
  const method = (init.method ?? "GET").toUpperCase();
  try {
    return await send();
  } catch (error) {
    if (method !== "GET" && method !== "HEAD") throw error;
    return send();
  }
}

/** POST /api/auth/token/refresh/; the new tokens, or null when the session is over. */
export async function refreshTokens(refresh: string): Promise<Tokens | null> {
  const headers = backendHeaders(null);
  headers.set("content-type", "application/json");
  headers.set("accept", "application/json");
  const response = await backendFetch(backendApiUrl("auth/token/refresh/"), {
    method: "POST",
    headers,
    body: JSON.stringify({ refresh }),
    redirect: "manual",
  });
  if (!response.ok) return null;
  const body: unknown = await response.json().catch(() => null);
  if (!body || typeof body !== "object" || !("access" in body) || typeof body.access !== "string") return null;
  const rotated = "refresh" in body && typeof body.refresh === "string" ? body.refresh : undefined;
  return { access: body.access, refresh: rotated };
}
