import { NextResponse, type NextRequest } from "next/server";

import { backendApiUrl, backendFetch, backendHeaders, refreshTokens } from "@/lib/server/backend";
import { clearTokens, isSameOrigin, readTokens, setTokens, type Tokens } from "@/lib/server/session";

// Every answer depends on the caller's cookies and on the request's moment.
export const dynamic = "force-dynamic";

const PREFIX = "/api/proxy/";

// Headers of the backend's answer that the browser needs: the body's type, how a
// download is named, when to try again after a 429, and the request's id (to quote
// when reporting a problem).
const PASSED_RESPONSE_HEADERS = ["content-type", "content-disposition", "retry-after", "x-request-id"] as const;

/**
 * The backend path for this request: the part after /api/proxy/, still URL-encoded,
 * with the trailing slash every Django route ends in. Token endpoints are refused so
 * that tokens only ever travel inside HttpOnly cookies (see /api/auth/login).
 */
function backendPath(request: NextRequest): string | null {
  const { pathname } = request.nextUrl;
  if (!pathname.startsWith(PREFIX)) return null;
  let path = pathname.slice(PREFIX.length);
  if (path === "" || path.split("/").some((segment) => segment === "." || segment === "..")) return null;
  // An encoded slash or backslash would let one segment smuggle in a different path.
  if (/%2f|%5c/i.test(path)) return null;
  if (!path.endsWith("/")) path += "/";
  if (/^auth\/token(\/|$)/i.test(path)) return null;
  return path;
}

function jsonError(status: number, detail: string, code: string): NextResponse {
  return NextResponse.json({ detail, code }, { status });
}

function forward(request: NextRequest, path: string, body: ArrayBuffer | undefined, access?: string) {
  return backendFetch(backendApiUrl(path, request.nextUrl.search), {
    method: request.method,
    headers: backendHeaders(request.headers, access),
    body,
    // A redirect would point at the backend's own host; the browser must not follow it.
    redirect: "manual",
  });
}

function relay(upstream: Response): NextResponse {
  const headers = new Headers();
  for (const name of PASSED_RESPONSE_HEADERS) {
    const value = upstream.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  headers.set("cache-control", "no-store");
  const empty = upstream.status === 204 || upstream.status === 304;
  // The body is streamed through untouched, so files download byte for byte.
  return new NextResponse(empty ? null : upstream.body, { status: upstream.status, headers });
}

async function handle(request: NextRequest): Promise<NextResponse> {
  try {
    return await proxy(request);
  } catch (error) {
    console.error("proxy: backend unreachable", error);
    return jsonError(502, "The service is unavailable; try again shortly.", "backend_unavailable");
  }
}

async function proxy(request: NextRequest): Promise<NextResponse> {
  const path = backendPath(request);
  if (path === null) return jsonError(404, "Not found.", "not_found");
  if (!isSameOrigin(request)) return jsonError(403, "Cross-site request refused.", "cross_site");

  // Read once: a retry after refreshing the token sends the same bytes again.
  const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
  const stored = readTokens(request);
  let access = stored.access;
  let renewed: Tokens | null = null;
  let sessionOver = false;

  // An access cookie that has expired is gone from the browser; renew it up front.
  if (!access && stored.refresh) {
    renewed = await refreshTokens(stored.refresh);
    access = renewed?.access;
    sessionOver = renewed === null;
  }

  let upstream = await forward(request, path, body, access);

  if (upstream.status === 401 && access) {
    // Drain the refused answer (small) so its connection can be reused.
    await upstream.arrayBuffer().catch(() => undefined);
    renewed = stored.refresh && !renewed ? await refreshTokens(stored.refresh) : null;
    sessionOver = renewed === null;
    // Without a session the request goes again as an anonymous one: the backend
    // refuses it (401) unless the endpoint is public, like the booking page's.
    upstream = await forward(request, path, body, renewed?.access);
  }

  const response = relay(upstream);
  if (sessionOver) clearTokens(response, request);
  else if (renewed) setTokens(response, request, renewed);
  return response;
}

export const GET = handle;
export const POST = handle;
export const PUT = handle;
export const PATCH = handle;
export const DELETE = handle;
