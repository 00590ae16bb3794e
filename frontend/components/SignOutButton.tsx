"use client";

import { useState } from "react";

export function SignOutButton() {
  const [busy, setBusy] = useState(false);

  async function signOut() {
    setBusy(true);
    await fetch("/api/auth/logout", { method: "POST" }).catch(() => undefined);
    // A full load, so the server renders the header without the session.
    window.location.assign("/login");
  }

  return (
    <button type="button" className="button button--quiet" onClick={signOut} disabled={busy} data-testid="sign-out">
      Sign out
    </button>
  );
}
