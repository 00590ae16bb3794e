"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";

import { useTenant } from "@/components/TenantContext";

export function LoginForm({ next }: { next: string }) {
  const tenant = useTenant();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const response = await fetch("/api/auth/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: form.get("username"), password: form.get("password") }),
      });
      if (response.ok) {
        // A full load, so the server renders the header with the session's menu.
        window.location.assign(next);
        return;
      }
      if (response.status === 401) {
        // A wrong password and an account of another business look the same on
        // purpose: the backend reveals neither.
        setError(`Those details don't match an account at ${tenant.name}.`);
      } else if (response.status === 429) {
        setError("Too many attempts. Wait a minute and try again.");
      } else {
        setError("Signing in is not possible right now. Try again shortly.");
      }
    } catch {
      setError("Signing in is not possible right now. Try again shortly.");
    }
    setBusy(false);
  }

  return (
    <section className="card card--narrow">
      <h1>Sign in to {tenant.name}</h1>
      <form onSubmit={submit} className="form" data-testid="login-form">
        <label>
          Username
          <input name="username" autoComplete="username" required data-testid="login-username" />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            data-testid="login-password"
          />
        </label>
        {error ? (
          <p className="alert alert--error" role="alert" data-testid="login-error">
            {error}
          </p>
        ) : null}
        <button type="submit" className="button" disabled={busy} data-testid="login-submit">
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p className="muted">
        <Link href="/password/reset" data-testid="login-forgot">
          Forgot your password?
        </Link>
      </p>
    </section>
  );
}
