import "server-only";

import type { NextRequest, NextResponse } from "next/server";

// The tokens live only in HttpOnly cookies of this frontend's own host: script on
// the page cannot read them, and no Domain attribute means no other host (another
// business's frontend included) ever receives them.
export const ACCESS_COOKIE = "nbne_access";
export const REFRESH_COOKIE = "nbne_refresh";

export interface Tokens {
  access: string;
  refresh?: string | undefined;
}

/** Whether the browser reached us over https (directly or through the platform's edge). */
export function isHttps(request: NextRequest): boolean {
  const forwarded = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  return (forwarded ?? request.nextUrl.protocol.replace(/:$/, "")) === "https";
}

/** Seconds until a JWT's `exp`, or undefined when it cannot be read. */
function secondsLeft(jwt: string): number | undefined {
  const payload = jwt.split(".")[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    if (claims && typeof claims === "object" && "exp" in claims && typeof claims.exp === "number") {
      return Math.max(0, Math.floor(claims.exp - Date.now() / 1000));
    }
  } catch {
    // Not a JWT we can read: let the cookie last for the browser session.
  }
  return undefined;
}

function cookieOptions(request: NextRequest, token: string) {
  return {
    httpOnly: true,
    sameSite: "lax" as const,
    path: "/",
    secure: isHttps(request),
    maxAge: secondsLeft(token),
  };
}

export function readTokens(request: NextRequest): { access?: string | undefined; refresh?: string | undefined } {
  return {
    access: request.cookies.get(ACCESS_COOKIE)?.value || undefined,
    refresh: request.cookies.get(REFRESH_COOKIE)?.value || undefined,
  };
}

export function setTokens(response: NextResponse, request: NextRequest, tokens: Tokens): void {
  response.cookies.set(ACCESS_COOKIE, tokens.access, cookieOptions(request, tokens.access));
  if (tokens.refresh) {
    response.cookies.set(REFRESH_COOKIE, tokens.refresh, cookieOptions(request, tokens.refresh));
  }
}

export function clearTokens(response: NextResponse, request: NextRequest): void {
  for (const name of [ACCESS_COOKIE, REFRESH_COOKIE]) {
    response.cookies.set(name, "", { ...cookieOptions(request, ""), maxAge: 0 });
  }
}

/**
 * Refuses a state-changing request that another site made the browser send. SameSite=Lax
 * already keeps the cookies off cross-site POSTs, but sibling subdomains of one
 * registrable domain count as the same site, so the Origin must be this very host.
 * Requests without an Origin (curl, server-to-server) carry no victim's cookies.
 */
export function isSameOrigin(request: NextRequest): boolean {
  if (request.method === "GET" || request.method === "HEAD" || request.method === "OPTIONS") return true;
  const origin = request.headers.get("origin");
  if (origin === null) return true;
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return false;
  }
  const hosts = [request.headers.get("x-forwarded-host"), request.headers.get("host")]
    .filter((value): value is string => Boolean(value))
    .map((value) => value.split(",")[0]!.trim().toLowerCase());
  return hosts.includes(originHost);
}
