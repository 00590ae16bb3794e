import "server-only";

import { cache } from "react";

import type { Branding } from "@/lib/types";

import { backendApiUrl, backendFetch, backendHeaders } from "./backend";

const COLOUR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/** A colour from the backend, or the fallback when it is not a plain hex colour. */
export function safeColour(value: string | undefined, fallback: string): string {
  return value && COLOUR.test(value) ? value : fallback;
}

/**
 * The business's public branding, fetched per request (and once per render: the
 * layout and the page title share it). Null when the backend cannot be reached.
 */
export const loadBranding = cache(async (): Promise<Branding | null> => {
  try {
    const response = await backendFetch(backendApiUrl("tenant/"), { headers: backendHeaders(null) });
    if (!response.ok) return null;
    return (await response.json()) as Branding;
  } catch {
    return null;
  }
});
