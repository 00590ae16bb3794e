import type { Metadata } from "next";
import type { CSSProperties, ReactNode } from "react";

import { SiteHeader } from "@/components/SiteHeader";
import { TenantProvider } from "@/components/TenantContext";
import { hasSession } from "@/lib/server/auth";
import { loadBranding, safeColour } from "@/lib/server/branding";

import "./globals.css";

// The business comes from the server's environment at request time, so nothing
// here may be rendered once at build time and reused.
export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const branding = await loadBranding();
  return {
    title: branding ? { default: branding.name, template: `%s · ${branding.name}` } : "Unavailable",
    description: branding?.tagline ?? undefined,
  };
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const branding = await loadBranding();
  if (!branding) {
    return (
      <html lang="en-GB">
        <body>
          <main className="page">
            <h1>This site is not available right now</h1>
            <p data-testid="site-unavailable">Please try again in a few minutes.</p>
          </main>
        </body>
      </html>
    );
  }

  const theme = {
    "--primary": safeColour(branding.primary_colour, "#334155"),
    "--secondary": safeColour(branding.secondary_colour, "#94a3b8"),
  } as CSSProperties;

  return (
    <html lang="en-GB">
      <body style={theme}>
        <TenantProvider branding={branding}>
          <SiteHeader branding={branding} signedIn={await hasSession()} />
          <main className="page">{children}</main>
        </TenantProvider>
      </body>
    </html>
  );
}
