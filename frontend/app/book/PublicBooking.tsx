"use client";

import { useState, type FormEvent } from "react";

import { ErrorNote, Loading } from "@/components/Status";
import { useTenant } from "@/components/TenantContext";
import { api, errorMessage } from "@/lib/client/api";
import { useApi } from "@/lib/client/useApi";
import { addDays, formatDateTime, formatTime, todayIn } from "@/lib/time";
import type { Page, PublicBookingConfirmation, PublicService, Reference, Slot } from "@/lib/types";

/**
 * A time the client can pick: with one person, or with whoever is free then. The page
 * knows services and people by their references only (the public pages show no ids).
 */
interface Choice {
  starts_at: string;
  staff: Reference | null;
  staff_name: string | null;
}

const choiceKey = (choice: Choice) => `${choice.starts_at}|${choice.staff ?? "any"}`;

/** The free times to offer: each time once when anyone will do, else the person's own. */
function choicesFrom(slots: Slot[], person: string): Choice[] {
  if (person) {
    return slots
      .filter((slot) => slot.staff === person)
      .map((slot) => ({ starts_at: slot.starts_at, staff: slot.staff, staff_name: slot.staff_name }));
  }
  const seen = new Set<string>();
  const choices: Choice[] = [];
  for (const slot of slots) {
    if (seen.has(slot.starts_at)) continue;
    seen.add(slot.starts_at);
    choices.push({ starts_at: slot.starts_at, staff: null, staff_name: null });
  }
  return choices;
}

function peopleIn(slots: Slot[]): { ref: Reference; name: string }[] {
  const people = new Map<Reference, string>();
  for (const slot of slots) people.set(slot.staff, slot.staff_name);
  return [...people].map(([ref, name]) => ({ ref, name })).sort((a, b) => a.name.localeCompare(b.name));
}

/** The page a client uses to book: a service, a day, a free time, their details. */
export function PublicBooking() {
  const tenant = useTenant();
  const services = useApi<Page<PublicService>>("bookings/public/services/", { page_size: 100 });
  const [serviceRef, setServiceRef] = useState<Reference>("");
  const [date, setDate] = useState(() => addDays(todayIn(tenant.timezone), 1));
  const [person, setPerson] = useState<Reference>("");
  const [chosen, setChosen] = useState<Choice | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirmation, setConfirmation] = useState<PublicBookingConfirmation | null>(null);
  const slots = useApi<Slot[]>(serviceRef && date ? "bookings/public/slots/" : null, { service: serviceRef, date });

  const people = peopleIn(slots.data ?? []);
  const choices = choicesFrom(slots.data ?? [], person);

  function chooseService(value: Reference) {
    setServiceRef(value);
    setPerson("");
    setChosen(null);
  }

  function choosePerson(value: Reference) {
    setPerson(value);
    setChosen(null);
  }

  function chooseDate(value: string) {
    setDate(value);
    setChosen(null);
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!chosen) return;
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      setConfirmation(
        await api.post<PublicBookingConfirmation>("bookings/public/bookings/", {
          service: serviceRef,
          staff: chosen.staff,
          starts_at: chosen.starts_at,
          name: form.get("name"),
          email: form.get("email"),
          phone: form.get("phone") ?? "",
          notes: form.get("notes") ?? "",
        }),
      );
    } catch (reason) {
      setError(errorMessage(reason));
      // Someone may have taken the time meanwhile: show what is free now.
      slots.reload();
      setChosen(null);
    }
    setBusy(false);
  }

  if (confirmation) {
    return (
      <section className="card card--narrow" data-testid="book-confirmation" data-booking-ref={confirmation.ref}>
        <h1>Thank you</h1>
        <p>
          Your request for <strong>{confirmation.service_name}</strong> with {confirmation.staff_name} on{" "}
          <strong>{formatDateTime(confirmation.starts_at, tenant.timezone)}</strong> has reached {tenant.name}.
        </p>
        <p className="muted">
          {confirmation.status === "confirmed"
            ? "It is confirmed."
            : "The team will confirm it shortly."}{" "}
          Your reference is <span data-testid="book-reference">{confirmation.ref}</span>.
        </p>
        <button
          type="button"
          className="button button--quiet"
          onClick={() => {
            setConfirmation(null);
            setChosen(null);
            slots.reload();
          }}
        >
          Book something else
        </button>
      </section>
    );
  }

  return (
    <div className="stack">
      <section className="card">
        <h1>Book at {tenant.name}</h1>
        {services.error ? <ErrorNote message={services.error} /> : null}
        {!services.data ? (
          <Loading />
        ) : (
          <div className="form form--grid">
            <label>
              Service
              <select value={serviceRef} onChange={(e) => chooseService(e.target.value)} data-testid="book-service">
                <option value="">Choose a service…</option>
                {services.data.results.map((service) => (
                  <option key={service.ref} value={service.ref}>
                    {service.name} · {service.duration_minutes} min · £{service.price}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Day
              <input
                type="date"
                value={date}
                min={todayIn(tenant.timezone)}
                onChange={(e) => e.target.value && chooseDate(e.target.value)}
                data-testid="book-date"
              />
            </label>
          </div>
        )}
      </section>

      {serviceRef ? (
        <section className="card" data-testid="book-slots" data-state={slots.loading ? "loading" : "ready"}>
          <h2>Free times</h2>
          {slots.error ? <ErrorNote message={slots.error} /> : null}
          {slots.loading ? <Loading label="Looking for free times…" /> : null}
          {!slots.loading && slots.data?.length === 0 ? (
            <p className="muted" data-testid="book-no-slots">
              Nothing free on this day; try another.
            </p>
          ) : null}
          {!slots.loading && slots.data && slots.data.length > 0 ? (
            <>
              <label className="inline-label">
                With
                <select value={person} onChange={(e) => choosePerson(e.target.value)} data-testid="book-person">
                  <option value="">Anyone</option>
                  {people.map((someone) => (
                    <option key={someone.ref} value={someone.ref}>
                      {someone.name}
                    </option>
                  ))}
                </select>
              </label>
              <div className="slots">
                {choices.map((choice) => (
                  <button
                    key={choiceKey(choice)}
                    type="button"
                    className={`slot${chosen && choiceKey(chosen) === choiceKey(choice) ? " slot--chosen" : ""}`}
                    aria-pressed={chosen ? choiceKey(chosen) === choiceKey(choice) : false}
                    onClick={() => setChosen(choice)}
                    data-testid="book-slot"
                    data-starts-at={choice.starts_at}
                  >
                    <span className="slot__time">{formatTime(choice.starts_at, tenant.timezone)}</span>
                    {choice.staff_name ? <span className="slot__staff">{choice.staff_name}</span> : null}
                  </button>
                ))}
              </div>
            </>
          ) : null}
        </section>
      ) : null}

      {chosen ? (
        <section className="card">
          <h2>
            {formatDateTime(chosen.starts_at, tenant.timezone)}
            {chosen.staff_name ? ` with ${chosen.staff_name}` : ", with whoever is free"}
          </h2>
          <form className="form form--grid" onSubmit={submit} data-testid="book-form">
            <label>
              Your name
              <input name="name" required maxLength={120} autoComplete="name" data-testid="book-name" />
            </label>
            <label>
              Email
              <input name="email" type="email" required autoComplete="email" data-testid="book-email" />
            </label>
            <label>
              Phone (optional)
              <input name="phone" type="tel" maxLength={32} autoComplete="tel" data-testid="book-phone" />
            </label>
            <label className="form__wide">
              Anything we should know? (optional)
              <textarea name="notes" maxLength={2000} rows={3} data-testid="book-notes" />
            </label>
            <div className="form__wide">
              <button type="submit" className="button" disabled={busy} data-testid="book-submit">
                {busy ? "Sending…" : "Request this booking"}
              </button>
            </div>
          </form>
        </section>
      ) : null}
      {error ? <ErrorNote message={error} testId="book-error" /> : null}
    </div>
  );
}
