import { NextResponse, type NextRequest } from "next/server";

import { clearTokens, isSameOrigin } from "@/lib/server/session";

export const dynamic = "force-dynamic";

export async function POST(request: NextRequest): Promise<NextResponse> {
  if (!isSameOrigin(request)) {
    return NextResponse.json({ detail: "Cross-site request refused.", code: "cross_site" }, { status: 403 });
  }
  const response = new NextResponse(null, { status: 204 });
  clearTokens(response, request);
  return response;
}
