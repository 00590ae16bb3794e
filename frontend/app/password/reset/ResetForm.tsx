"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";

import { ErrorNote } from "@/components/Status";
import { useTenant } from "@/components/TenantContext";
import { api, ApiError, errorMessage } from "@/lib/client/api";

export function ResetForm() {
  const tenant = useTenant();
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      // The backend answers the same whether or not the address has an account here,
      // so this page shows its sentence as it is and learns nothing more.
      const answer = await api.post<{ detail: string }>("auth/password-reset", { email: form.get("email") });
      setSent(answer.detail);
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.status === 429
          ? "Too many requests. Wait a while and try again."
          : errorMessage(failure),
      );
    }
    setBusy(false);
  }

  if (sent) {
    return (
      <section className="card card--narrow">
        <h1>Check your e-mail</h1>
        <p className="alert alert--ok" role="status" data-testid="reset-sent">
          {sent}
        </p>
        <p className="muted">
          The link works for a short while and only once. <Link href="/login">Back to sign in</Link>
        </p>
      </section>
    );
  }

  return (
    <section className="card card--narrow">
      <h1>Reset your {tenant.name} password</h1>
      <p className="muted">Enter the e-mail address of your account. We will send you a link to choose a new password.</p>
      <form onSubmit={submit} className="form" data-testid="reset-form">
        <label>
          E-mail address
          <input name="email" type="email" autoComplete="email" required data-testid="reset-email" />
        </label>
        {error ? <ErrorNote message={error} testId="reset-error" /> : null}
        <button type="submit" className="button" disabled={busy} data-testid="reset-submit">
          {busy ? "Sending…" : "Send the link"}
        </button>
      </form>
      <p className="muted">
        <Link href="/login">Back to sign in</Link>
      </p>
    </section>
  );
}
