"use client";

import { createContext, useContext, type ReactNode } from "react";

import type { Branding } from "@/lib/types";

// The branding the server fetched for this request, so client components can show
// the business's name and times in its zone without asking again.
const TenantContext = createContext<Branding | null>(null);

export function TenantProvider({ branding, children }: { branding: Branding; children: ReactNode }) {
  return <TenantContext.Provider value={branding}>{children}</TenantContext.Provider>;
}

export function useTenant(): Branding {
  const branding = useContext(TenantContext);
  if (!branding) throw new Error("useTenant() outside <TenantProvider>");
  return branding;
}
