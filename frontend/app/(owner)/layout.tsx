import { redirect } from "next/navigation";
import type { ReactNode } from "react";

import { hasSession } from "@/lib/server/auth";

// The owner's pages need a session; without one, straight to the sign-in page.
// Whether the session is still valid is for the backend to say (via the proxy).
export default async function OwnerLayout({ children }: { children: ReactNode }) {
  if (!(await hasSession())) redirect("/login");
  return <>{children}</>;
}
