import { NextResponse, type NextRequest } from "next/server";

import { backendApiUrl, backendFetch, backendHeaders } from "@/lib/server/backend";
import { isSameOrigin, setTokens } from "@/lib/server/session";

export const dynamic = "force-dynamic";

interface Credentials {
  username: string;
  password: string;
}

function parseCredentials(body: unknown): Credentials | null {
  if (!body || typeof body !== "object") return null;
  const { username, password } = body as Record<string, unknown>;
  if (typeof username !== "string" || typeof password !== "string" || !username || !password) return null;
  return { username, password };
}

/**
 * Signs in at this frontend's business. The backend answers a user of another
 * business exactly like a wrong password, so nothing here can tell the two apart
 * either. The tokens go into HttpOnly cookies; the page only learns who signed in.
 */
export async function POST(request: NextRequest): Promise<NextResponse> {
  if (!isSameOrigin(request)) {
    return NextResponse.json({ detail: "Cross-site request refused.", code: "cross_site" }, { status: 403 });
  }
  const credentials = parseCredentials(await request.json().catch(() => null));
  if (!credentials) {
    return NextResponse.json({ detail: "Enter a username and a password.", code: "invalid" }, { status: 400 });
  }

  const headers = backendHeaders(null);
  headers.set("content-type", "application/json");
  headers.set("accept", "application/json");
  let upstream: Response;
  try {
    upstream = await backendFetch(backendApiUrl("auth/token/"), {
      method: "POST",
      headers,
      body: JSON.stringify(credentials),
      redirect: "manual",
    });
  } catch (error) {
    console.error("login: backend unreachable", error);
    return NextResponse.json({ detail: "The service is unavailable.", code: "backend_unavailable" }, { status: 502 });
  }
  const body: unknown = await upstream.json().catch(() => null);

  if (!upstream.ok) {
    const detail =
      body && typeof body === "object" && "detail" in body && typeof body.detail === "string"
        ? body.detail
        : "Sign-in failed.";
    const status = upstream.status === 401 || upstream.status === 400 || upstream.status === 429 ? upstream.status : 502;
    return NextResponse.json({ detail, code: status === 401 ? "invalid_credentials" : "login_failed" }, { status });
  }

  const tokens = body as { access?: unknown; refresh?: unknown; tenant?: unknown };
  if (typeof tokens.access !== "string" || typeof tokens.refresh !== "string") {
    return NextResponse.json({ detail: "The server's answer was not understood.", code: "bad_gateway" }, { status: 502 });
  }
  const response = NextResponse.json({ tenant: tokens.tenant ?? null });
  response.headers.set("cache-control", "no-store");
  setTokens(response, request, { access: tokens.access, refresh: tokens.refresh });
  return response;
}
