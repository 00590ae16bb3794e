"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";

import { ErrorNote } from "@/components/Status";
import { useTenant } from "@/components/TenantContext";
import { api, ApiError, errorMessage } from "@/lib/client/api";

/** What the backend says is wrong: its `detail`, or the password rules it refused. */
function problems(failure: unknown): string[] {
  if (failure instanceof ApiError && failure.body && typeof failure.body === "object") {
    const body = failure.body as Record<string, unknown>;
    if (Array.isArray(body["password"])) return body["password"].filter((item) => typeof item === "string");
    if (failure.status === 429) return ["Too many attempts. Wait a while and try again."];
  }
  return [errorMessage(failure)];
}

export function SetPasswordForm({ token }: { token: string }) {
  const tenant = useTenant();
  const [done, setDone] = useState<string | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get("password") ?? "");
    if (password !== form.get("confirm")) {
      setErrors(["The two passwords are not the same."]);
      return;
    }
    setBusy(true);
    setErrors([]);
    try {
      const answer = await api.post<{ detail: string }>("auth/password-set", { token, password });
      setDone(answer.detail);
    } catch (failure) {
      setErrors(problems(failure));
    }
    setBusy(false);
  }

  if (!token) {
    return (
      <section className="card card--narrow">
        <h1>Choose your password</h1>
        <ErrorNote message="This page needs the link from your e-mail." testId="set-error" />
        <p className="muted">
          <Link href="/password/reset">Ask for a new link</Link>
        </p>
      </section>
    );
  }

  if (done) {
    return (
      <section className="card card--narrow">
        <h1>Password set</h1>
        <p className="alert alert--ok" role="status" data-testid="set-done">
          {done}
        </p>
        <p>
          <Link href="/login" className="button" data-testid="set-sign-in">
            Sign in to {tenant.name}
          </Link>
        </p>
      </section>
    );
  }

  return (
    <section className="card card--narrow">
      <h1>Choose your {tenant.name} password</h1>
      <form onSubmit={submit} className="form" data-testid="set-form">
        <label>
          New password
          <input
            name="password"
            type="password"
            autoComplete="new-password"
            required
            data-testid="set-password"
          />
        </label>
        <label>
          The same again
          <input name="confirm" type="password" autoComplete="new-password" required data-testid="set-confirm" />
        </label>
        {errors.length > 0 ? (
          <div className="alert alert--error" role="alert" data-testid="set-error">
            {errors.map((message) => (
              <p key={message}>{message}</p>
            ))}
          </div>
        ) : null}
        <button type="submit" className="button" disabled={busy} data-testid="set-submit">
          {busy ? "Saving…" : "Set my password"}
        </button>
      </form>
      <p className="muted">
        Link expired or already used? <Link href="/password/reset">Ask for a new one</Link>
      </p>
    </section>
  );
}
